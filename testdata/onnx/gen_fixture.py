#!/usr/bin/python3
"""Generates the ONNX-model fixtures of evalkit's model path and their
references, with Debian's python3-torch 1.13, python3-onnx, python3-opencv:

  /usr/bin/python3 gen_fixture.py      (from this directory; deterministic)

Writes
  fixture.onnx        a narrow iresnet (iresnet.py), random weights, seed 9,
                      input "input.1" N×3×112×112, output N×128
  fixture.bin         40 pairs of generated 112×112 faces, JPEG-encoded by
                      cv2.imencode (quality 95) as insightface's .bin files
                      are, pickled with protocol 2 (as insightface's Python 2
                      files; Python 3 writes the bytes as _codecs.encode)
  fixture_png.bin     the same pairs with the images as cv2 decodes the JPEGs,
                      re-encoded losslessly as PNG, pickle protocol 4: any PNG
                      decoder sees exactly the pixels the reference saw
  emb.npy, emb_flip.npy
                      PyTorch embeddings (float32) of every image as cv2
                      decodes it (BGR→RGB, (x−127.5)·(1/127.5) in float32,
                      NCHW) and of its horizontal mirror
  verify_expected.txt insightface verification.py test() on those embeddings,
                      as verify_reference.py computes it (XNorm's last digit
                      is PyTorch's; gen_ort_reference.py makes the exact,
                      ONNX Runtime reference of evalkit's lines)
  mxnet_style.onnx    a small net whose first nodes are named _minus0 / _mul0
                      (an MXNet-converted model: ArcFaceONNX then feeds raw
                      pixels, mean 0 and std 1); emb_mxnet.npy its PyTorch
                      embeddings of the first 8 images' raw pixels
  bad_rank.onnx       input of rank 3; bad_channels.onnx  1-channel input;
  bad_output.onnx     a rank-4 output
"""
import pickle

import cv2
import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

import iresnet
import verify_reference

PAIRS = 40


def face(rng, person):
    """A synthetic 112×112 BGR face: a skin-toned ellipse, eyes, a mouth
    and a textured background, with the geometry fixed per person and small
    per-image jitter, so that a random network still separates people."""
    p = np.random.default_rng(1000 + person)
    bg = p.integers(40, 200, 3)
    img = np.zeros((112, 112, 3), np.float64) + bg
    yy, xx = np.mgrid[0:112, 0:112]
    img += 30 * np.sin(xx / p.uniform(5, 15) + p.uniform(0, 6))[..., None] * p.uniform(-1, 1, 3)
    skin = p.integers(90, 230, 3)
    dx, dy = rng.normal(0, 1.5, 2)
    cx, cy = 56 + p.normal(0, 3) + dx, 58 + p.normal(0, 3) + dy
    ax, ay = p.uniform(28, 38), p.uniform(36, 46)
    img = img.astype(np.uint8)
    cv2.ellipse(img, (int(cx), int(cy)), (int(ax), int(ay)), float(p.normal(0, 5)), 0, 360, skin.tolist(), -1)
    eye = p.integers(0, 80, 3).tolist()
    for s in (-1, 1):
        cv2.circle(img, (int(cx + s * p.uniform(12, 16)), int(cy - 10)), int(p.uniform(3, 6)), eye, -1)
    cv2.ellipse(img, (int(cx), int(cy + 20)), (int(p.uniform(8, 14)), int(p.uniform(2, 5))), 0, 0, 360,
                p.integers(60, 160, 3).tolist(), -1)
    img = cv2.GaussianBlur(img, (3, 3), 0.8).astype(np.float64)
    img *= rng.uniform(0.85, 1.15)
    img += rng.normal(0, 4, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def make_pairs(rng):
    images, issame = [], []
    for i in range(PAIRS):
        same = i % 2 == 0
        a = 2 * i
        b = a if same else 2 * i + 1
        images += [face(rng, a), face(rng, b)]
        issame.append(same)
    return images, issame


def main():
    torch.manual_seed(9)
    gen = torch.Generator().manual_seed(9)
    rng = np.random.default_rng(9)

    images, issame = make_pairs(rng)
    calib = [verify_reference.blob(images[i:i + 20]) for i in range(0, len(images), 20)]
    net = iresnet.calibrate(iresnet.randomize(iresnet.IResNet(), gen), calib)
    iresnet.export(net, "fixture.onnx")

    jpegs = [cv2.imencode(".jpg", im, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes() for im in images]
    with open("fixture.bin", "wb") as f:
        pickle.dump((jpegs, issame), f, protocol=2)
    decoded = [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in jpegs]
    pngs = [cv2.imencode(".png", d, [cv2.IMWRITE_PNG_COMPRESSION, 9])[1].tobytes() for d in decoded]
    with open("fixture_png.bin", "wb") as f:
        pickle.dump((pngs, issame), f, protocol=4)

    emb, flip = verify_reference.embed(net, decoded)
    np.save("emb.npy", emb)
    np.save("emb_flip.npy", flip)
    with open("verify_expected.txt", "w") as f:
        f.write(verify_reference.test_lines("fixture", emb, flip, issame))

    mx = mxnet_style(gen)
    raw = torch.from_numpy(np.stack([d[:, :, ::-1] for d in decoded[:8]]).astype(np.float32).transpose(0, 3, 1, 2).copy())
    with torch.no_grad():
        np.save("emb_mxnet.npy", mx(raw).numpy())

    bad_models()


class MXNetStyle(nn.Module):
    """(x − 127.5)·0.0078125 inside the graph, as MXNet's fresnet does, then
    a strided conv, PReLU, flatten and FC."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 8, 8, bias=True)
        self.prelu = nn.PReLU(4)
        self.fc = nn.Linear(4 * 14 * 14, 16)

    def forward(self, x):
        x = (x - 127.5) * 0.0078125
        return self.fc(torch.flatten(self.prelu(self.conv(x)), 1))


def mxnet_style(gen):
    net = iresnet.randomize(MXNetStyle(), gen)
    iresnet.export(net, "mxnet_style.onnx")
    m = onnx.load("mxnet_style.onnx")
    # MXNet's converter names nodes after the symbols: _minus0, _mul0, …
    for n in m.graph.node:
        if n.op_type == "Sub":
            n.name = "_minus0"
        elif n.op_type == "Mul":
            n.name = "_mul0"
    onnx.save(m, "mxnet_style.onnx")
    return net


def tiny(name, in_shape, out_shape):
    """A one-node graph (Identity or Reshape) with the given input shape."""
    inp = helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)
    if len(in_shape) == len(out_shape):
        nodes, inits = [helper.make_node("Identity", ["x"], ["y"])], []
    else:
        nodes = [helper.make_node("Flatten", ["x"], ["y"], axis=1)]
        inits = []
    g = helper.make_graph(nodes, name, [inp], [out], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="evalkit gen_fixture.py")
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, name + ".onnx")


def bad_models():
    tiny("bad_rank", ["N", 3, 112], ["N", 336])
    tiny("bad_channels", ["N", 1, 112, 112], ["N", 12544])
    tiny("bad_output", ["N", 3, 112, 112], ["N", 3, 112, 112])


if __name__ == "__main__":
    main()
