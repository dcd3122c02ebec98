#!/usr/bin/python3
"""The exact reference of `evalkit verify --model fixture.onnx --bin
fixture.bin`: insightface's Python path with ONNX Runtime, as its
ArcFaceONNX runs a model, instead of PyTorch (gen_fixture.py's reference,
whose float32 arithmetic differs from ONNX Runtime's in the last bits).

  ORT_NODE=DIR/node_modules/onnxruntime-node /usr/bin/python3 gen_ort_reference.py

run from this directory after gen_fixture.py, with Debian's python3-opencv
and Node.js 20, and npm's onnxruntime-node@1.30.0 installed OUTSIDE the
repository without its postinstall (which downloads CUDA files):

  cd "$(mktemp -d)" && npm install --ignore-scripts onnxruntime-node@1.30.0

Steps:
  1. decode fixture.bin's JPEGs with cv2.imdecode (IMREAD_COLOR, BGR);
  2. ArcFaceONNX's input: cv2.dnn.blobFromImages(images, 1/127.5, (112, 112),
     (127.5,)*3, swapRB=True) — (x − 127.5)·(1/127.5) in float32, RGB,
     NCHW — for the images and for their horizontal mirrors (cv2.flip, as
     verification.py flips the decoded image before the model);
  3. ort_embed.mjs runs fixture.onnx in ONNX Runtime 1.30 (the library evalkit
     loads) with evalkit's default session — graph optimisations on,
     intra-op threads chosen by ONNX Runtime, 32 images and their 32 mirrors
     per run — and again with 1 thread and 1 image per run, which must give
     the same bits (the script stops otherwise);
  4. verification.py test() on those embeddings (verify_reference.py).

Writes emb_ort.npy, emb_ort_flip.npy (float32 80×128) and
verify_expected_ort.txt (test()'s two lines)."""
import os
import pickle
import subprocess
import sys
import tempfile

import cv2
import numpy as np

import verify_reference


def blob(bgr_images):
    """ArcFaceONNX.get_feat's input."""
    return cv2.dnn.blobFromImages(bgr_images, 1.0 / 127.5, (112, 112), (127.5, 127.5, 127.5), swapRB=True)


def ort_embed(tmp, images, mirrors, threads, batch):
    tag = "t%d_b%d" % (threads, batch)
    emb, flip = os.path.join(tmp, "emb_%s.npy" % tag), os.path.join(tmp, "flip_%s.npy" % tag)
    subprocess.run(["node", "ort_embed.mjs", "fixture.onnx", images, mirrors, emb, flip, str(threads), str(batch)],
                   check=True)
    return np.load(emb), np.load(flip)


def main():
    with open("fixture.bin", "rb") as f:
        jpegs, issame = pickle.load(f, encoding="bytes")
    decoded = [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in jpegs]
    with tempfile.TemporaryDirectory() as tmp:
        images, mirrors = os.path.join(tmp, "images.npy"), os.path.join(tmp, "mirrors.npy")
        np.save(images, blob(decoded))
        np.save(mirrors, blob([cv2.flip(d, 1) for d in decoded]))
        emb, flip = ort_embed(tmp, images, mirrors, 0, 32)
        emb1, flip1 = ort_embed(tmp, images, mirrors, 1, 1)
    if not (np.array_equal(emb, emb1) and np.array_equal(flip, flip1)):
        sys.exit("ONNX Runtime's embeddings depend on the thread count or batch size: max difference %g"
                 % max(np.abs(emb - emb1).max(), np.abs(flip - flip1).max()))
    np.save("emb_ort.npy", emb)
    np.save("emb_ort_flip.npy", flip)
    with open("verify_expected_ort.txt", "w") as f:
        f.write(verify_reference.test_lines("fixture", emb, flip, issame))


if __name__ == "__main__":
    main()
