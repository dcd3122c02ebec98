#!/usr/bin/python3
"""The PyTorch side of bench/run-onnx.sh: insightface's evaluation of one
.bin with a PyTorch model, as its Python tools do it — OpenCV decoding
(cv2.imdecode, BGR→RGB), (x − 127.5)/127.5, batches of images and their
mirrors through the network in PyTorch 1.13 on CPU, then verification.py's
test() — printing the same XNorm/Accuracy-Flip lines as evalkit.

  /usr/bin/python3 bench/onnx_torch.py r50.pt data.bin [threads] [batch]
"""
import os
import pickle
import sys

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "onnx"))
import verify_reference  # noqa: E402
from onnx_gen import r50  # noqa: E402


def main():
    weights, binfile = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    torch.set_num_threads(threads)
    net = r50()
    net.load_state_dict(torch.load(weights))
    net.eval()
    with open(binfile, "rb") as f:
        bins, issame = pickle.load(f, encoding="bytes")
    emb, flip = [], []
    with torch.no_grad():
        for i in range(0, len(bins), batch):
            imgs = [cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR) for b in bins[i:i + batch]]
            x = torch.cat([verify_reference.blob(imgs), verify_reference.blob(imgs, mirror=True)])
            out = net(x).numpy()
            emb.append(out[:len(imgs)])
            flip.append(out[len(imgs):])
    name = os.path.splitext(os.path.basename(binfile))[0]
    sys.stdout.write(verify_reference.test_lines(name, np.concatenate(emb), np.concatenate(flip), issame))


if __name__ == "__main__":
    main()
