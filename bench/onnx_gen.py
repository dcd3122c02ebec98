#!/usr/bin/python3
"""Generates bench/run-onnx.sh's inputs into DIR (not committed):
  r50.onnx, r50.pt   an r50-shaped iresnet (64-128-256-512 wide, 3-4-14-3
                     blocks, 512-d; random weights, 6.3 GMAC per image) as
                     ONNX and as a PyTorch state dict
  N.bin              N/2 pairs of synthetic 112×112 faces, JPEG quality 95,
                     for every N given

  /usr/bin/python3 bench/onnx_gen.py DIR N [N ...]
"""
import os
import pickle
import sys

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "onnx"))
import gen_fixture  # noqa: E402
import iresnet  # noqa: E402


def r50():
    return iresnet.IResNet(widths=(64, 128, 256, 512), blocks=(3, 4, 14, 3), emb=512, stem=64)


def main():
    out, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
    torch.manual_seed(50)
    net = iresnet.randomize(r50(), torch.Generator().manual_seed(50))
    iresnet.export(net, os.path.join(out, "r50.onnx"))
    torch.save(net.state_dict(), os.path.join(out, "r50.pt"))
    rng = np.random.default_rng(50)
    for n in sizes:
        images, issame = [], []
        for i in range(n // 2):
            a = 2 * i
            b = a if i % 2 == 0 else a + 1
            images += [gen_fixture.face(rng, a), gen_fixture.face(rng, b)]
            issame.append(i % 2 == 0)
        jpegs = [cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes() for im in images]
        with open(os.path.join(out, "%d.bin" % n), "wb") as f:
            pickle.dump((jpegs, issame), f, protocol=4)


if __name__ == "__main__":
    main()
