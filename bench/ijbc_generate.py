#!/usr/bin/python3
"""Writes IJB-C-sized synthetic evaluation data for bench/run-ijbc.sh.

    /usr/bin/python3 bench/ijbc_generate.py DIR [--scale F] [--seed N]

DIR/meta/ijbc_face_tid_mid.txt       "image_name tid mid", one line per image
DIR/meta/ijbc_name_5pts_score.txt    "image_name x1 y1 ... x5 y5 score", same order
DIR/meta/ijbc_template_pair_label.txt "tid1 tid2 label", one line per pair
DIR/feats.npy                        images x 1024 float32: [f(image) | f(flipped)]

At --scale 1 the sizes are IJB-C's: 469,375 images, 23,124 templates,
15,658,489 template pairs of which 19,557 genuine. Templates hold 1 to 50
images (mean ~20) from 1 to 5 media; template ids are sparse and ascending
in the file; images of a template are contiguous, as in IJB-C's meta files.
Each template belongs to one of ~3,500 subjects; an image's feature is its
subject's direction times a per-template quality, plus a per-template offset
and per-image noise, scaled by a random norm, so genuine pairs score higher
and the TAR@FAR row lands in IJB-C's range; about 1 % of images are junk detections: a random feature and
a low detector score. The pair file is sorted by the first template (IJB-C
lists each enrolled template's comparisons together); genuine pairs join
templates of one subject, impostor pairs two subjects. Everything comes from one numpy Generator seeded
with --seed, so a (scale, seed) pair always gives the same bytes.
"""
import argparse
import os

import numpy as np

IMAGES, TEMPLATES, PAIRS, GENUINE, SUBJECTS = 469_375, 23_124, 15_658_489, 19_557, 3_531
HALF = 512


def sizes_summing_to(rng, n, total, lo, hi):
    """n integers in [lo, hi], geometric-ish around total/n, summing to total."""
    mean = total / n
    s = np.clip(np.round(rng.gamma(1.6, mean / 1.6, n)).astype(np.int64), lo, hi)
    while True:
        d = total - int(s.sum())
        if d == 0:
            return s
        i = rng.integers(0, n, abs(d))
        if d > 0:
            np.add.at(s, i, 1)
        else:
            np.add.at(s, i, -1)
        s = np.clip(s, lo, hi)


def write_lines(path, n, fmt_chunk, chunk=500_000):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        for lo in range(0, n, chunk):
            f.write(fmt_chunk(lo, min(n, lo + chunk)))
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20261201)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    n_t = max(4, round(TEMPLATES * a.scale))
    n_img = max(n_t, round(IMAGES * a.scale))
    n_pairs = max(8, round(PAIRS * a.scale))
    n_gen = max(2, round(GENUINE * a.scale))
    n_subj = max(2, round(SUBJECTS * a.scale))
    os.makedirs(os.path.join(a.dir, "meta"), exist_ok=True)

    # templates, their subjects, sizes and media
    tids = np.sort(rng.choice(np.arange(1, 8 * n_t + 1), n_t, replace=False))
    subj = rng.integers(0, n_subj, n_t)
    size = sizes_summing_to(rng, n_t, n_img, 1, 50)
    img_t = np.repeat(np.arange(n_t), size)  # template index of each image
    n_media = np.minimum(size, rng.integers(1, 6, n_t))
    media_base = np.cumsum(n_media) - n_media  # first media slot of each template
    media_slot = media_base[img_t] + (rng.integers(0, 1 << 30, n_img) % n_media[img_t])
    media_ids = rng.choice(np.arange(1, 40 * n_t + 1), int(n_media.sum()), replace=False)
    mids = media_ids[media_slot]
    names = np.array(["%d.jpg" % (i + 1) for i in range(n_img)])
    junk = rng.random(n_img) < 0.01
    score = np.where(junk, rng.uniform(0.05, 0.6, n_img), rng.uniform(0.75, 1.0, n_img))
    lmk = rng.uniform(20, 100, (n_img, 10))

    def tid_mid(lo, hi):
        return "".join("%s %d %d\n" % (names[i], tids[img_t[i]], mids[i]) for i in range(lo, hi))

    def five_pts(lo, hi):
        return "".join(
            "%s %s %.6f\n" % (names[i], " ".join("%.3f" % v for v in lmk[i]), score[i]) for i in range(lo, hi)
        )

    write_lines(os.path.join(a.dir, "meta", "ijbc_face_tid_mid.txt"), n_img, tid_mid)
    write_lines(os.path.join(a.dir, "meta", "ijbc_name_5pts_score.txt"), n_img, five_pts)

    # pairs: first templates from an "enrolled" half, second from the rest
    perm = rng.permutation(n_t)
    enrolled, probes = np.sort(perm[: n_t // 2]), np.sort(perm[n_t // 2:])
    p1 = np.sort(rng.choice(enrolled, n_pairs - n_gen))
    p2 = rng.choice(probes, n_pairs - n_gen)
    same = subj[p1] == subj[p2]
    while same.any():  # impostor pairs join different subjects
        p2[same] = rng.choice(probes, int(same.sum()))
        same = subj[p1] == subj[p2]
    by_subj = {}
    for t in probes:
        by_subj.setdefault(int(subj[t]), []).append(int(t))
    g1, g2 = [], []
    cands = [t for t in enrolled if int(subj[t]) in by_subj]
    while len(g1) < n_gen:
        t = int(cands[rng.integers(0, len(cands))])
        ps = by_subj[int(subj[t])]
        g1.append(t)
        g2.append(ps[rng.integers(0, len(ps))])
    t1 = np.concatenate([p1, np.array(g1)])
    t2 = np.concatenate([p2, np.array(g2)])
    lab = np.concatenate([np.zeros(n_pairs - n_gen, np.int64), np.ones(n_gen, np.int64)])
    o = np.argsort(t1, kind="stable")
    t1, t2, lab = tids[t1[o]], tids[t2[o]], lab[o]

    def pair_lines(lo, hi):
        return "".join("%d %d %d\n" % x for x in zip(t1[lo:hi].tolist(), t2[lo:hi].tolist(), lab[lo:hi].tolist()))

    write_lines(os.path.join(a.dir, "meta", "ijbc_template_pair_label.txt"), n_pairs, pair_lines)

    # features, written in blocks of rows into a .npy
    centers = rng.standard_normal((n_subj, HALF)).astype(np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    quality = rng.uniform(0.2, 1.3, n_t).astype(np.float32)  # subject signal per template
    offset = rng.standard_normal((n_t, HALF)).astype(np.float32) * np.float32(0.8 / np.sqrt(HALF))
    path = os.path.join(a.dir, "feats.npy")
    out = np.lib.format.open_memmap(path + ".tmp", mode="w+", dtype=np.float32, shape=(n_img, 2 * HALF))
    step = 20_000
    for lo in range(0, n_img, step):
        hi = min(n_img, lo + step)
        k = hi - lo
        t = img_t[lo:hi]
        c = centers[subj[t]] * quality[t, None] + offset[t]
        c = np.where(junk[lo:hi, None], rng.standard_normal((k, HALF)).astype(np.float32) * 0.05, c)
        norm = rng.uniform(8, 30, (k, 1)).astype(np.float32)
        for h in range(2):
            noise = rng.standard_normal((k, HALF), dtype=np.float32) * np.float32(0.06)
            out[lo:hi, h * HALF:(h + 1) * HALF] = (c + noise) * norm
    out.flush()
    del out
    os.replace(path + ".tmp", path)
    print("wrote %s: %d images, %d templates, %d pairs (%d genuine)" % (a.dir, n_img, n_t, n_pairs, int(lab.sum())))


if __name__ == "__main__":
    main()
