#!/usr/bin/env python3
"""A hip-xray model "trained elsewhere", exported with Debian's python3-torch (1.13.1) and python3-torchvision (0.14.1).

    /usr/bin/python3 make_hip_import_fixtures.py OUT_DIR [FILE ...]

Writes to OUT_DIR (only the FILEs named, when some are: tracing the TorchScript copy takes most of the run) the network of the hip-xray workload (torchvision's DenseNet-121 with one output and a one-channel
first convolution for radiographs), with seeded random weights, as
  hip_densenet.pt         its state dict (torch.save(model.state_dict()))
  hip_densenet.script.pt  the same model as TorchScript (torch.jit.trace)
  hip_wrong.pt            the state dict of a small torchvision DenseNet with five blocks, three input channels and
                          two classes: what the workload must refuse, naming the keys that do not fit
"""
import sys

import torch
import torchvision


def hip_densenet():
    model = torchvision.models.densenet121(num_classes=1)
    model.features.conv0 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return model


def small_densenet(blocks, classes, channels):
    model = torchvision.models.DenseNet(growth_rate=8, block_config=blocks, num_init_features=16, bn_size=2, num_classes=classes)
    if channels != 3:
        model.features.conv0 = torch.nn.Conv2d(channels, 16, kernel_size=7, stride=2, padding=3, bias=False)
    return model


ALL = ("hip_densenet.pt", "hip_densenet.script.pt", "hip_wrong.pt")


def main(out, names):
    unknown = [name for name in names if name not in ALL]
    if unknown:
        sys.exit(f"unknown fixture {', '.join(unknown)}; known: {', '.join(ALL)}")
    torch.manual_seed(20261205)
    model = hip_densenet().eval()
    if "hip_densenet.pt" in names:
        torch.save(model.state_dict(), f"{out}/hip_densenet.pt")
    if "hip_densenet.script.pt" in names:
        torch.jit.trace(model, torch.randn(1, 1, 96, 96)).save(f"{out}/hip_densenet.script.pt")
    if "hip_wrong.pt" in names:
        torch.save(small_densenet(blocks=(2, 2, 2, 2, 2), classes=2, channels=3).state_dict(), f"{out}/hip_wrong.pt")
    print(f"wrote {', '.join(names)} to {out} (torch {torch.__version__})")


if __name__ == "__main__":
    main(sys.argv[1], tuple(sys.argv[2:]) or ALL)
