#!/usr/bin/python3
"""insightface's IJB 1:N evaluations on template features, the speed
baseline of bench/run-identify.sh (the code paths are reproduced in
testdata/identify/insightface_1n.py, the golden generator's module).

    identify_numpy.py --generate DIR   IJB-C 1:N sized template features:
        19593 probes, galleries G1 (1772) and G2 (1759), 512-d float64
        unit rows, as insightface's image2template_feature returns them
    identify_numpy.py ijb_1n DIR       ijb_1n.py: gen_mask + evaluation()
        over G1 and G2 together
    identify_numpy.py ijb_evals DIR    ijb_evals.py: evaluation_1N() on G1
        and on G2 at its 101 FARs, and the mean top-k line
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "testdata", "identify"))
from insightface_1n import gen_mask, ijb_1n_evaluation, ijb_evals_evaluation_1N, ijb_evals_fars  # noqa: E402

NG1, NG2, NPROBE, D = 1772, 1759, 19593, 512


def unit(x):
    return x / np.sqrt(np.sum(x ** 2, -1, keepdims=True))


def generate(d):
    rng = np.random.RandomState(7)
    centers = unit(rng.standard_normal((NG1 + NG2, D)))
    ids = np.arange(NG1 + NG2, dtype=np.int64) + 1
    gal = unit(centers + 0.08 * rng.standard_normal(centers.shape))
    who = rng.randint(0, NG1 + NG2, NPROBE)
    probes = unit(centers[who] + 0.1 * rng.standard_normal((NPROBE, D)))
    np.save(os.path.join(d, "gallery.npy"), gal)
    np.save(os.path.join(d, "gallery_ids.npy"), ids)
    np.save(os.path.join(d, "g1.npy"), gal[:NG1])
    np.save(os.path.join(d, "g1_ids.npy"), ids[:NG1])
    np.save(os.path.join(d, "g2.npy"), gal[NG1:])
    np.save(os.path.join(d, "g2_ids.npy"), ids[NG1:])
    np.save(os.path.join(d, "probes.npy"), probes)
    np.save(os.path.join(d, "probe_ids.npy"), ids[who])


def main():
    mode, d = sys.argv[1], sys.argv[2]
    if mode == "--generate":
        generate(d)
        return
    probes = np.load(os.path.join(d, "probes.npy"))
    pids = np.load(os.path.join(d, "probe_ids.npy"))
    if mode == "ijb_1n":
        gal, gids = np.load(os.path.join(d, "gallery.npy")), np.load(os.path.join(d, "gallery_ids.npy"))
        ijb_1n_evaluation(probes, gal, gen_mask(pids, gids))
        return
    fars, _ = ijb_evals_fars()
    counts = []
    for g in ("g1", "g2"):
        gal, gids = np.load(os.path.join(d, g + ".npy")), np.load(os.path.join(d, g + "_ids.npy"))
        counts.append(ijb_evals_evaluation_1N(probes, gal, pids, gids, fars))
    q = probes.shape[0]
    print("[Mean] top1: %f, top5: %f, top10: %f" % tuple((counts[0][i] + counts[1][i]) / q for i in range(3)))


main()
