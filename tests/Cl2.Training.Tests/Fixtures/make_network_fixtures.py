#!/usr/bin/env python3
"""Reference numbers for Cl2.Models.Networks, made with Debian's python3-torch (1.13.1) and python3-torchvision (0.14.1).

Run from this folder with /usr/bin/python3 (MONAI is not installable here):

    /usr/bin/python3 make_network_fixtures.py

DenseNet-121 is torchvision's own `densenet121`. SegResNet, SegResNetVAE and the residual UNet are plain-PyTorch
re-statements of MONAI's `monai.networks.nets` classes (same module tree, so the same state-dict keys and parameter
counts), written from MONAI's source independently of the C# code they check.

Writes:
  networks.json   for each configuration: parameter count and the full state-dict key list (with shapes)
  <name>.pt       small configurations only: a state dict of non-trivial weights, and <name>.io.pt holding
                  the input and the eval-mode output, so the C# networks can be checked to give PyTorch's numbers.
"""
import json
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

# ---------------------------------------------------------------- MONAI building blocks (convolutions.py, ...)


def conv_type(dims, transposed=False):
    return {(2, False): nn.Conv2d, (3, False): nn.Conv3d, (2, True): nn.ConvTranspose2d, (3, True): nn.ConvTranspose3d}[(dims, transposed)]


class Convolution(nn.Sequential):
    """monai.networks.blocks.Convolution as MONAI's UNet uses it: norm, dropout, PReLU in "NDA" order."""

    def __init__(self, dims, cin, cout, strides=1, kernel_size=3, bias=True, conv_only=False, is_transposed=False,
                 dropout=0.0, norm="instance"):
        super().__init__()
        padding = (kernel_size - 1) // 2
        if is_transposed:
            conv = conv_type(dims, True)(cin, cout, kernel_size, stride=strides, padding=padding,
                                         output_padding=strides - 1, bias=bias)
        else:
            conv = conv_type(dims)(cin, cout, kernel_size, stride=strides, padding=padding, bias=bias)
        self.add_module("conv", conv)
        if conv_only:
            return
        adn = nn.Sequential()
        norms = {"instance": {2: nn.InstanceNorm2d, 3: nn.InstanceNorm3d}, "batch": {2: nn.BatchNorm2d, 3: nn.BatchNorm3d}}
        adn.add_module("N", norms[norm][dims](cout))
        adn.add_module("D", nn.Dropout(dropout))
        adn.add_module("A", nn.PReLU())
        self.add_module("adn", adn)


class ResidualUnit(nn.Module):
    def __init__(self, dims, cin, cout, strides=1, kernel_size=3, subunits=2, dropout=0.0, last_conv_only=False,
                 norm="instance"):
        super().__init__()
        self.conv = nn.Sequential()
        self.residual = nn.Identity()
        schannels, sstrides = cin, strides
        for su in range(max(1, subunits)):
            self.conv.add_module(f"unit{su}", Convolution(dims, schannels, cout, sstrides, kernel_size, dropout=dropout, norm=norm,
                                                          conv_only=last_conv_only and su == max(1, subunits) - 1))
            schannels, sstrides = cout, 1
        if strides != 1 or cin != cout:
            k, p = (kernel_size, (kernel_size - 1) // 2) if strides != 1 else (1, 0)
            self.residual = conv_type(dims)(cin, cout, k, strides, p, bias=True)

    def forward(self, x):
        return self.conv(x) + self.residual(x)


class SkipConnection(nn.Module):
    def __init__(self, submodule):
        super().__init__()
        self.submodule = submodule

    def forward(self, x):
        return torch.cat([x, self.submodule(x)], dim=1)


class UNet(nn.Module):
    """monai.networks.nets.UNet (residual units)."""

    def __init__(self, dims, cin, cout, channels, strides, num_res_units=2, kernel_size=3, up_kernel_size=3, norm="instance"):
        super().__init__()
        self.dims, self.k, self.uk, self.nru, self.norm = dims, kernel_size, up_kernel_size, num_res_units, norm

        def block(inc, outc, chs, sts, is_top):
            c, s = chs[0], sts[0]
            if len(chs) > 2:
                sub, upc = block(c, c, chs[1:], sts[1:], False), c * 2
            else:
                sub, upc = self.down(c, chs[1], 1), c + chs[1]
            return nn.Sequential(self.down(inc, c, s), SkipConnection(sub), self.up(upc, outc, s, is_top))

        self.model = block(cin, cout, channels, strides, True)

    def down(self, cin, cout, s):
        if self.nru > 0:
            return ResidualUnit(self.dims, cin, cout, s, self.k, self.nru, norm=self.norm)
        return Convolution(self.dims, cin, cout, s, self.k, norm=self.norm)

    def up(self, cin, cout, s, is_top):
        conv = Convolution(self.dims, cin, cout, s, self.uk, conv_only=is_top and self.nru == 0, is_transposed=True,
                           norm=self.norm)
        if self.nru > 0:
            conv = nn.Sequential(conv, ResidualUnit(self.dims, cout, cout, 1, self.k, 1, last_conv_only=is_top, norm=self.norm))
        return conv

    def forward(self, x):
        return self.model(x)


# ---------------------------------------------------------------- MONAI SegResNet (segresnet.py, segresnet_block.py)


def get_conv_layer(dims, cin, cout, kernel_size=3, stride=1, bias=False):
    seq = nn.Sequential()
    seq.add_module("conv", conv_type(dims)(cin, cout, kernel_size, stride=stride, padding=(kernel_size - 1) // 2, bias=bias))
    return seq


def get_upsample_layer(dims, channels, mode):
    seq = nn.Sequential()
    if mode == "deconv":
        seq.add_module("deconv", conv_type(dims, True)(channels, channels, 2, stride=2))
    else:
        seq.add_module("upsample_non_trainable",
                       nn.Upsample(scale_factor=2, mode={2: "bilinear", 3: "trilinear"}[dims], align_corners=False))
    return seq


class ResBlock(nn.Module):
    def __init__(self, dims, channels, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, channels)
        self.norm2 = nn.GroupNorm(groups, channels)
        self.act = nn.ReLU()
        self.conv1 = get_conv_layer(dims, channels, channels)
        self.conv2 = get_conv_layer(dims, channels, channels)

    def forward(self, x):
        y = self.conv1(self.act(self.norm1(x)))
        y = self.conv2(self.act(self.norm2(y)))
        return y + x


class SegResNet(nn.Module):
    def __init__(self, dims=3, init_filters=8, in_channels=1, out_channels=2, blocks_down=(1, 2, 2, 4),
                 blocks_up=(1, 1, 1), upsample_mode="nontrainable", groups=8):
        super().__init__()
        self.dims, self.f, self.groups = dims, init_filters, groups
        self.blocks_down, self.upsample_mode = blocks_down, upsample_mode
        self.act_mod = nn.ReLU()
        self.convInit = get_conv_layer(dims, in_channels, init_filters)
        self.down_layers = nn.ModuleList()
        for i, n in enumerate(blocks_down):
            c = init_filters * 2 ** i
            pre = get_conv_layer(dims, c // 2, c, stride=2) if i > 0 else nn.Identity()
            self.down_layers.append(nn.Sequential(pre, *[ResBlock(dims, c, groups) for _ in range(n)]))
        self.up_layers, self.up_samples = nn.ModuleList(), nn.ModuleList()
        n_up = len(blocks_up)
        for i in range(n_up):
            c = init_filters * 2 ** (n_up - i)
            self.up_layers.append(nn.Sequential(*[ResBlock(dims, c // 2, groups) for _ in range(blocks_up[i])]))
            self.up_samples.append(nn.Sequential(get_conv_layer(dims, c, c // 2, kernel_size=1),
                                                 get_upsample_layer(dims, c // 2, upsample_mode)))
        self.conv_final = self.final_conv(out_channels)

    def final_conv(self, cout):
        return nn.Sequential(nn.GroupNorm(self.groups, self.f), self.act_mod,
                             get_conv_layer(self.dims, self.f, cout, kernel_size=1, bias=True))

    def encode(self, x):
        x = self.convInit(x)
        downs = []
        for d in self.down_layers:
            x = d(x)
            downs.append(x)
        return x, downs[::-1]

    def decode(self, x, downs):
        for i, (up, upl) in enumerate(zip(self.up_samples, self.up_layers)):
            x = upl(up(x) + downs[i + 1])
        return self.conv_final(x)

    def forward(self, x):
        x, downs = self.encode(x)
        return self.decode(x, downs)


class SegResNetVAE(SegResNet):
    def __init__(self, input_image_size, vae_estimate_std=False, vae_default_std=0.3, vae_nz=256, **kw):
        super().__init__(**kw)
        self.smallest_filters = 16
        zoom = 2 ** (len(self.blocks_down) - 1)
        self.fc_insize = [s // (2 * zoom) for s in input_image_size]
        self.vae_estimate_std, self.vae_default_std = vae_estimate_std, vae_default_std
        v = self.f * zoom
        total = self.smallest_filters
        for s in self.fc_insize:
            total *= s
        self.vae_down = nn.Sequential(nn.GroupNorm(self.groups, v), self.act_mod,
                                      get_conv_layer(self.dims, v, self.smallest_filters, stride=2, bias=True),
                                      nn.GroupNorm(self.groups, self.smallest_filters), self.act_mod)
        self.vae_fc1 = nn.Linear(total, vae_nz)
        self.vae_fc2 = nn.Linear(total, vae_nz)
        self.vae_fc3 = nn.Linear(vae_nz, total)
        self.vae_fc_up_sample = nn.Sequential(get_conv_layer(self.dims, self.smallest_filters, v, kernel_size=1),
                                              get_upsample_layer(self.dims, v, self.upsample_mode),
                                              nn.GroupNorm(self.groups, v), self.act_mod)
        self.vae_conv_final = self.final_conv(kw.get("in_channels", 1))

    def vae_losses(self, net_input, vae_input):
        x = self.vae_down(vae_input).view(-1, self.vae_fc1.in_features)
        z_mean = self.vae_fc1(x)
        noise = torch.randn_like(z_mean)
        if self.vae_estimate_std:
            z_sigma = F.softplus(self.vae_fc2(x))
            reg = 0.5 * torch.mean(z_mean ** 2 + z_sigma ** 2 - torch.log(1e-8 + z_sigma ** 2) - 1)
            x = z_mean + z_sigma * noise
        else:
            reg = torch.mean(z_mean ** 2)
            x = z_mean + self.vae_default_std * noise
        x = self.act_mod(self.vae_fc3(x)).view([-1, self.smallest_filters] + self.fc_insize)
        x = self.vae_fc_up_sample(x)
        for up, upl in zip(self.up_samples, self.up_layers):
            x = upl(up(x))
        return reg, F.mse_loss(net_input, self.vae_conv_final(x))

    def forward(self, x):
        deepest, downs = self.encode(x)
        return self.decode(deepest, downs), *self.vae_losses(x, deepest)


# ---------------------------------------------------------------- configurations

FULL = {
    # MONAI's defaults.
    "segresnet_default": lambda: SegResNet(),
    # Myronenko 2018's BraTS network: 4 MRI sequences, 3 sub-regions, 32 initial filters.
    "segresnet_brats": lambda: SegResNet(init_filters=32, in_channels=4, out_channels=3),
    # The same with the VAE branch for the paper's 160×192×128 crops (its 256 latent units).
    "segresnetvae_brats": lambda: SegResNetVAE((160, 192, 128), init_filters=32, in_channels=4, out_channels=3),
    # MONAI's spleen/liver CT tutorial UNet, 3-D and 2-D.
    "unet3d_default": lambda: UNet(3, 1, 2, (16, 32, 64, 128, 256), (2, 2, 2, 2)),
    "unet2d_default": lambda: UNet(2, 1, 2, (16, 32, 64, 128, 256), (2, 2, 2, 2)),
    # The spleen tutorial's exact network (norm=Norm.BATCH), whose 4,808,917 parameters MONAI users know.
    "unet3d_spleen": lambda: UNet(3, 1, 2, (16, 32, 64, 128, 256), (2, 2, 2, 2), norm="batch"),
    "densenet121": lambda: torchvision.models.densenet121(),
}

SMALL = {
    "segresnet_small": (lambda: SegResNet(init_filters=8, in_channels=2, out_channels=3, blocks_down=(1, 2, 2),
                                          blocks_up=(1, 1)), (1, 2, 16, 16, 16)),
    "segresnetvae_small": (lambda: SegResNetVAE((16, 16, 16), vae_default_std=0.0, vae_nz=16, init_filters=8,
                                                in_channels=2, out_channels=3, blocks_down=(1, 1, 1), blocks_up=(1, 1),
                                                upsample_mode="deconv"), (1, 2, 16, 16, 16)),
    "unet3d_small": (lambda: UNet(3, 1, 2, (4, 8, 16), (2, 2)), (1, 1, 16, 16, 16)),
    "unet2d_small": (lambda: UNet(2, 1, 3, (8, 16, 32, 64), (2, 2, 2)), (2, 1, 32, 32)),
    "densenet_small": (lambda: torchvision.models.DenseNet(growth_rate=8, block_config=(2, 2, 2, 2), num_init_features=16,
                                                           bn_size=2, num_classes=2), (2, 3, 64, 64)),
}


def describe(model):
    sd = model.state_dict()
    return {
        "parameters": sum(p.numel() for p in model.parameters()),
        "keys": [[k, list(v.shape)] for k, v in sd.items()],
    }


def perturb(model):
    """Default init leaves norms at 1/0 and running stats at 0/1; perturb every 1-D tensor so a wrong mapping shows."""
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if t.dtype.is_floating_point and t.dim() == 1:
                if name.endswith("running_var"):
                    t.copy_(0.5 + torch.rand_like(t))
                else:
                    t.add_(0.1 * torch.randn_like(t))


def main():
    torch.manual_seed(20260127)
    out = {"torch": torch.__version__, "torchvision": torchvision.__version__, "networks": {}}
    for name, make in FULL.items():
        out["networks"][name] = describe(make())
    for name, (make, shape) in SMALL.items():
        model = make()
        perturb(model)
        model.eval()
        x = torch.randn(shape)
        with torch.no_grad():
            y = model(x)
        io = {"input": x}
        if isinstance(y, tuple):
            io["output"], io["latent_loss"], io["reconstruction_loss"] = y[0], y[1].reshape(1), y[2].reshape(1)
        else:
            io["output"] = y
        torch.save(model.state_dict(), f"{name}.pt")
        torch.save(io, f"{name}.io.pt")
        out["networks"][name] = describe(model)
    with open("networks.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for name, d in out["networks"].items():
        print(f"{name:22s} {d['parameters']:>12,d} parameters {len(d['keys']):>5d} state-dict entries")


if __name__ == "__main__":
    main()
