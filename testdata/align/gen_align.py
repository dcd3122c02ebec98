#!/usr/bin/python3
"""Golden files for align: insightface's norm_crop done with scikit-image and OpenCV.

Run with Debian's python3 (python3-skimage 0.19, python3-opencv 4.6):
    cd testdata/align && /usr/bin/python3 gen_align.py

Writes src_*.png (source images, RGB), crop_*.png (the aligned crops) and
cases.json: per case the source, the float32 landmarks, the crop size, the
matrix scikit-image's SimilarityTransform estimates (norm_crop's M, full
float64 precision) and the crop file. norm_crop is re-stated here from
insightface's face_align.py: float32 arcface_dst scaled for the size,
SimilarityTransform().estimate(landmarks, dst), cv2.warpAffine(img, M,
(size, size), borderValue=0.0). "warp" cases give a matrix directly, to
test the warp alone (upscaling, rotation, borders).
"""
import json

import cv2
import numpy as np
from skimage import data
from skimage import transform as trans

arcface_dst = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
     [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float32)


def estimate_norm(lmk, image_size):
    if image_size % 112 == 0:
        ratio = float(image_size) / 112.0
        diff_x = 0
    else:
        ratio = float(image_size) / 128.0
        diff_x = 8.0 * ratio
    dst = arcface_dst * ratio
    dst[:, 0] += diff_x
    tform = trans.SimilarityTransform()
    tform.estimate(lmk, dst)
    return tform.params[0:2, :]


def warp(rgb, M, size):
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    out = cv2.warpAffine(bgr, M, (size, size), borderValue=0.0)
    return out  # BGR; cv2.imwrite stores it as RGB


rng = np.random.RandomState(7)
sources = {
    "astronaut": data.astronaut()[:260, 100:360],  # 260×260, face near (122, 120)
    "chelsea": data.chelsea(),  # 300×451
    "noise": rng.randint(0, 256, size=(97, 131, 3)).astype(np.uint8),
}
for name, img in sources.items():
    cv2.imwrite("src_%s.png" % name, np.ascontiguousarray(img[:, :, ::-1]))


def landmarks(center, scale, angle, jitter):
    """The template moved into the source by a similarity, plus noise."""
    t = arcface_dst.astype(np.float64) - 56.0
    c, s = np.cos(angle), np.sin(angle)
    p = t @ np.array([[c, s], [-s, c]]) * scale + np.asarray(center)
    return (p + rng.uniform(-jitter, jitter, size=p.shape)).astype(np.float32)


cases = []
specs = [
    ("astronaut", (122, 118), 1.2, 0.05, 2, 112),
    ("astronaut", (130, 125), 0.8, -0.4, 3, 112),
    ("astronaut", (115, 110), 2.5, 0.7, 1, 112),  # large face: downscale
    ("astronaut", (122, 118), 1.1, 0.1, 2, 224),
    ("astronaut", (122, 118), 1.1, -0.1, 2, 128),
    ("chelsea", (300, 120), 1.5, 0.3, 4, 112),
    ("chelsea", (20, 280), 1.3, -0.2, 2, 112),  # off the corner: black border
    ("noise", (60, 45), 0.4, 0.9, 1, 112),  # tiny face: upscale 2.5×
    ("noise", (-10, 50), 0.6, 0.0, 0, 112),  # mostly outside
]
for i, (src, center, scale, angle, jitter, size) in enumerate(specs):
    lmk = landmarks(center, scale, angle, jitter)
    M = estimate_norm(lmk, size)
    crop = "crop_%02d.png" % i
    cv2.imwrite(crop, warp(sources[src], M, size))
    cases.append({"kind": "norm_crop", "source": src, "landmarks": lmk.astype(float).tolist(),
                  "size": size, "matrix": M.ravel().tolist(), "crop": crop})

# A mirrored landmark order (left and right swapped) still gives a rotation.
lmk = landmarks((122, 118), 1.2, 0.0, 1)[[1, 0, 2, 4, 3]]
M = estimate_norm(lmk, 112)
cv2.imwrite("crop_mirrored.png", warp(sources["astronaut"], M, 112))
cases.append({"kind": "norm_crop", "source": "astronaut", "landmarks": lmk.astype(float).tolist(),
              "size": 112, "matrix": M.ravel().tolist(), "crop": "crop_mirrored.png"})

# Matrices given directly: the warp alone.
for i, (a, s, tx, ty, w) in enumerate([
        (0.3, 2.7, -40.3, 10.7, 96),
        (-1.1, 0.33, 300.2, 250.9, 112),
        (0.0, 1.0, -0.5, -0.5, 64),
        (np.pi, 4.0 / 3.0, 120.0, 90.0, 112)]):
    M = np.array([[s * np.cos(a), -s * np.sin(a), tx], [s * np.sin(a), s * np.cos(a), ty]])
    crop = "warp_%02d.png" % i
    cv2.imwrite(crop, warp(sources["chelsea" if i % 2 else "noise"], M, w))
    cases.append({"kind": "warp", "source": "chelsea" if i % 2 else "noise", "size": w,
                  "matrix": M.ravel().tolist(), "crop": crop})

with open("cases.json", "w") as f:
    json.dump(cases, f, indent=1)
    f.write("\n")
