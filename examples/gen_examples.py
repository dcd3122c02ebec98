#!/usr/bin/env python3
"""Writes the small example arrays evalkit's README scores.

Run with Debian's numpy:  /usr/bin/python3 examples/gen_examples.py
The outputs are committed; nothing at test or run time needs Python.
"""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261129)


def save(sub, name, arr):
    d = os.path.join(here, sub)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, name + ".npy"), arr)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# 10-class classification: a noisy classifier, about 70 % top-1.
n, c = 1000, 10
labels = rng.integers(0, c, n)
logits = rng.normal(0, 1, (n, c))
logits[np.arange(n), labels] += 1.8
save("classify", "labels", labels.astype(np.int64))
save("classify", "probs", softmax(logits).astype(np.float32))

# Binary classification: (N, 2) probabilities, class 1 is positive.
labels = rng.integers(0, 2, n)
score = rng.normal(0, 1, n) + 1.2 * (2 * labels - 1)
p1 = 1 / (1 + np.exp(-score))
save("binary", "labels", labels.astype(np.int64))
save("binary", "probs", np.stack([1 - p1, p1], axis=1).astype(np.float32))

# Regression: targets and predictions with correlated noise.
target = rng.normal(3, 2, n)
save("regress", "target", target.astype(np.float32))
save("regress", "pred", (0.9 * target + rng.normal(0, 0.8, n)).astype(np.float32))

# insightface's output layout: [embedding, margin softmax, scalar loss].
emb = rng.normal(0, 1, (n, 16)).astype(np.float32)
labels = rng.integers(0, c, n)
logits = rng.normal(0, 1, (n, c))
logits[np.arange(n), labels] += 1.0
probs = softmax(logits)
loss = -np.log(probs[np.arange(n), labels]).mean()
save("insightface", "labels", labels.astype(np.float32))
save("insightface", "embedding", emb)
save("insightface", "softmax", probs.astype(np.float32))
save("insightface", "loss", np.array([loss], dtype=np.float32))

# Face verification: 600 pairs of 64-d embeddings (rows 2i, 2i+1), LFW-like
# layout, with embeddings of the mirrored images; half the pairs are
# genuine.
pairs, d = 600, 64
ids = rng.normal(0, 1, (pairs, d))
issame = np.arange(pairs) % 2 == 0
other = rng.normal(0, 1, (pairs, d))
first = ids + rng.normal(0, 0.9, (pairs, d))
second = np.where(issame[:, None], ids, other) + rng.normal(0, 0.9, (pairs, d))
emb = np.empty((2 * pairs, d))
emb[0::2], emb[1::2] = first * 20, second * 20
flip = emb + rng.normal(0, 6, emb.shape)
save("verify", "emb", emb.astype(np.float32))
save("verify", "flip", flip.astype(np.float32))
save("verify", "issame", issame)

# IJB-style 1:1 scores: 50,000 template pairs, 5 % genuine.
n = 50000
labels = (rng.random(n) < 0.05).astype(np.int64)
scores = np.where(labels == 1, rng.normal(0.55, 0.15, n), rng.normal(0.05, 0.1, n))
save("ijb", "scores", scores.astype(np.float32))
save("ijb", "labels", labels)
