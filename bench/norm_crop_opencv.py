#!/usr/bin/python3
"""insightface's norm_crop with OpenCV and scikit-image, timed as align's
BenchmarkNormCrop does: a 250×250 image, the same landmarks, 2000 crops.
Prints nanoseconds per crop. Run by bench/run-align.sh."""
import time

import cv2
import numpy as np
from skimage import transform as trans

cv2.setNumThreads(1)
dst = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float32)
img = (np.arange(250 * 250 * 3) * 7 % 256).astype(np.uint8).reshape(250, 250, 3)
lmk = np.array([[100, 110], [150, 108], [125, 140], [105, 165], [148, 166]], np.float32)
n = 2000
for label, full in (("estimate+warp", True), ("warp only", False)):
    M = None
    t0 = time.perf_counter()
    for _ in range(n):
        if full or M is None:
            tform = trans.SimilarityTransform()
            tform.estimate(lmk, dst)
            M = tform.params[0:2, :]
        cv2.warpAffine(img, M, (112, 112), borderValue=0.0)
    print("%s %.0f ns/crop" % (label, (time.perf_counter() - t0) / n * 1e9))
