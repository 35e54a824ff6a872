#!/usr/bin/env python3
"""Loads a state dict that cl2 exported (TorchSharp.PyBridge save_py) into the plain-PyTorch re-statement of one of
make_network_fixtures.py's small configurations, strictly, and runs it in eval mode.

    /usr/bin/python3 run_exported_state_dict.py <configuration> <weights.pt> <input.pt> <output.pt>

<input.pt> is a dict {"input": tensor}; <output.pt> gets {"output": tensor}. Exits non-zero, naming the keys, when the
state dict does not fit the configuration.
"""
import sys

import torch

from make_network_fixtures import SMALL


def main(configuration, weights, inputs, outputs):
    make, _ = SMALL[configuration]
    model = make()
    model.load_state_dict(torch.load(weights), strict=True)
    model.eval()
    with torch.no_grad():
        y = model(torch.load(inputs)["input"])
    torch.save({"output": y}, outputs)


if __name__ == "__main__":
    main(*sys.argv[1:])
