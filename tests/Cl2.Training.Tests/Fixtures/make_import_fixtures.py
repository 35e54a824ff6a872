#!/usr/bin/env python3
"""TorchScript fixtures for Cl2.Models.Import, made with Debian's python3-torch (1.13.1) and python3-torchvision (0.14.1).

Run from this folder with /usr/bin/python3 after make_network_fixtures.py (it reuses that script's networks):

    /usr/bin/python3 make_import_fixtures.py

Writes, for a model "trained elsewhere" and handed over as TorchScript:
  unet2d_small.script.pt      the residual 2-D UNet of unet2d_small, compiled with torch.jit.script
  densenet_small.traced.pt    the small torchvision DenseNet of densenet_small, compiled with torch.jit.trace
  <name>.script.io.pt / <name>.traced.io.pt   an input and PyTorch's eval-mode output for it

Both use the weights already in <name>.pt, so the state-dict and TorchScript imports are checked on the same model.
"""
import torch
import torchvision

from make_network_fixtures import SMALL


def main():
    torch.manual_seed(20261127)
    for name, kind in (("unet2d_small", "script"), ("densenet_small", "traced")):
        make, shape = SMALL[name]
        model = make()
        model.load_state_dict(torch.load(f"{name}.pt"))
        model.eval()
        x = torch.randn(shape)
        compiled = torch.jit.script(model) if kind == "script" else torch.jit.trace(model, x)
        compiled.eval()
        with torch.no_grad():
            y = compiled(x)
            assert torch.allclose(y, model(x), atol=1e-6), "the compiled module does not compute what the module does"
        compiled.save(f"{name}.{kind}.pt")
        torch.save({"input": x, "output": y}, f"{name}.{kind}.io.pt")
        print(f"{name}.{kind}.pt: input {list(x.shape)} output {list(y.shape)}, torch {torch.__version__}, torchvision {torchvision.__version__}")


if __name__ == "__main__":
    main()
