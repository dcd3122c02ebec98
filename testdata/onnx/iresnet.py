"""A narrow insightface-style iresnet (arcface_torch's backbones/iresnet.py
layout, written here from its description): conv-BN-PReLU stem, IBasicBlocks
BN-conv-BN-PReLU-conv-BN with a 1×1 conv + BN shortcut on stride 2, then BN,
dropout, flatten, FC and BatchNorm1d on 3×112×112 input. Shared by
gen_fixture.py and bench/onnx_bench.py."""
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=1e-5)
        self.prelu = nn.PReLU(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(cout, eps=1e-5)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout, eps=1e-5))

    def forward(self, x):
        y = self.bn3(self.conv2(self.prelu(self.bn2(self.conv1(self.bn1(x))))))
        return y + (x if self.down is None else self.down(x))


class IResNet(nn.Module):
    def __init__(self, widths=(8, 16, 32, 64), blocks=(1, 1, 1, 1), emb=128, stem=None):
        super().__init__()
        stem = stem or widths[0]
        self.conv1 = nn.Conv2d(3, stem, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem, eps=1e-5)
        self.prelu = nn.PReLU(stem)
        layers, cin = [], stem
        for w, n in zip(widths, blocks):
            for i in range(n):
                layers.append(Block(cin, w, 2 if i == 0 else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.bn2 = nn.BatchNorm2d(cin, eps=1e-5)
        self.dropout = nn.Dropout(p=0.0)
        self.fc = nn.Linear(cin * 7 * 7, emb)
        self.features = nn.BatchNorm1d(emb, eps=1e-5)

    def forward(self, x):
        x = self.layers(self.prelu(self.bn1(self.conv1(x))))
        x = torch.flatten(self.dropout(self.bn2(x)), 1)
        return self.features(self.fc(x))


def randomize(net, gen):
    """Gives every BatchNorm non-trivial statistics and affine parameters and
    every PReLU its own slopes, so no layer is an identity."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
                n = m.num_features
                m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
                m.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
                m.weight.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(n, generator=gen) * 0.1)
            elif isinstance(m, nn.PReLU):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) * 0.3)
    return net.eval()


def calibrate(net, batches):
    """Sets every BatchNorm's running statistics to the mean and variance of
    its input over the given NCHW batches (as training would), so the
    embeddings spread like a trained model's rather than collapse onto the
    last BatchNorm's bias."""
    for m in net.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
            m.reset_running_stats()
            m.momentum = None  # cumulative average
    net.train()
    with torch.no_grad():
        for x in batches:
            net(x)
    return net.eval()


def export(net, path, size=112):
    torch.onnx.export(net, torch.zeros(1, 3, size, size), path, input_names=["input.1"], output_names=["embedding"],
                      dynamic_axes={"input.1": {0: "batch"}, "embedding": {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)
