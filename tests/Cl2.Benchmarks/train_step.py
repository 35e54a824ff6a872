#!/usr/bin/env python3
"""The PyTorch side of `./cl2 bench train`: the same network, initial weights, batch, loss and optimizer as cl2's
Trainer, stepped with Debian's python3-torch. Networks are make_network_fixtures.py's plain-PyTorch re-statements of
MONAI's (tests/Cl2.Training.Tests/Fixtures, on PYTHONPATH).

    /usr/bin/python3 train_step.py <unet2d|segresnet3d> <weights.pt> <batch.pt> <warmup> <steps> <threads> <device>

<weights.pt> is the state dict cl2 exported before its own first step; <batch.pt> holds {"input", "target"}.
CL2_BENCH_PRECISION=bf16-autocast runs the forward pass under torch.autocast("cuda", torch.bfloat16), as the Trainer's
bf16-autocast precision does (the loss on the float32 copy of the output, outside the autocast region).
Prints one JSON line: {"losses": [...every step...], "ms_per_step": <mean over the timed steps>, "torch": version}.
The loss is read after every step, as the Trainer does with ProgressEvery = 1.
"""
import contextlib
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

from make_network_fixtures import SegResNet, UNet

NETWORKS = {
    # Must match TrainBenchmark.cs.
    "unet2d": lambda: UNet(2, 1, 2, (16, 32, 64, 128, 256), (2, 2, 2, 2)),
    "segresnet3d": lambda: SegResNet(dims=3, init_filters=8, in_channels=4, out_channels=3),
}


def dice_ce(logits, target):
    """cl2's DiceCeLoss with its defaults (MONAI's DiceCELoss(to_onehot_y=True, softmax=True)): background included,
    smoothing 1e-5, both terms weighted 1."""
    labels = target.squeeze(1).long() if target.dim() == logits.dim() else target.long()
    ce = F.cross_entropy(logits, labels)
    p = F.softmax(logits, 1)
    dims = logits.dim()
    one_hot = F.one_hot(labels, logits.shape[1]).permute(0, dims - 1, *range(1, dims - 1)).to(p.dtype)
    spatial = list(range(2, dims))
    intersection = (p * one_hot).sum(spatial)
    denominator = p.sum(spatial) + one_hot.sum(spatial)
    dice = 1.0 - (2.0 * intersection + 1e-5) / (denominator + 1e-5)
    return dice.mean() + ce


def main(name, weights, batch, warmup, steps, threads, device):
    warmup, steps = int(warmup), int(steps)
    torch.set_num_threads(int(threads))
    model = NETWORKS[name]()
    model.load_state_dict(torch.load(weights), strict=True)
    model.to(device).train()
    data = torch.load(batch)
    x, y = data["input"].to(device), data["target"].to(device)
    # TrainerOptions' defaults: AdamW, lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-5, constant schedule.
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-5)
    precision = os.environ.get("CL2_BENCH_PRECISION", "float32")
    if precision not in ("float32", "bf16-autocast"):
        raise SystemExit(f"CL2_BENCH_PRECISION is float32 or bf16-autocast, not {precision}")
    autocast = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if precision == "bf16-autocast" else contextlib.nullcontext
    losses = []
    start = None
    for step in range(warmup + steps):
        if step == warmup:
            start = time.perf_counter()
        optimizer.zero_grad()
        with autocast():
            out = model(x)
        loss = dice_ce(out.float(), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    if device == "cuda":
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    print(json.dumps({"losses": losses, "ms_per_step": 1000 * elapsed / steps, "torch": torch.__version__}))


if __name__ == "__main__":
    main(*sys.argv[1:])
