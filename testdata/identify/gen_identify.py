#!/usr/bin/python3
"""Generates the golden files of evalkit's identify tests with Debian's
python3-numpy and python3-sklearn:

    /usr/bin/python3 testdata/identify/gen_identify.py

lib_*.npy and lib_golden.json: probes and two galleries of synthetic
identities (and distractors); the expected output of insightface's two 1:N
evaluations, reproduced here step for step with the same numpy calls:
recognition/_evaluation_/ijb/ijb_1n.py evaluation() (np.dot, np.argsort(-s),
top-k membership, heapq.nlargest of the non-mated scores, ceil(q*far)) and
ijb_evals.py evaluation_1N() (per query np.argsort(...)[::-1], pos/neg/
non-gallery similarity lists, int(n*far)-1); plus a float64 brute force of
NIST's CMC and TPIR@FPIR and of MegaFace-style rank-1 against distractor
counts, written independently of evalkit's engine (full similarity matrix,
a stable sort by (-score, index)).

ijb/: an IJB-C style meta directory (tid_mid, 5-point scores, the 1:N CSVs),
per-image features, and what `evalkit ijb --protocol 1n` must print.
"""
import contextlib
import io
import json
import math
import os

import numpy as np
import sklearn.preprocessing

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(20261201)


def unit(x):
    return x / np.sqrt(np.sum(x ** 2, -1, keepdims=True))


from insightface_1n import gen_mask, ijb_1n_evaluation, ijb_evals_evaluation_1N, ijb_evals_fars  # noqa: E402


def capture(fn, *a):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        r = fn(*a)
    return buf.getvalue(), r


# ------------------------------------------------------ NIST brute force

def ranked(sim_row):
    # stable order by (-score, index): the tie rule evalkit documents
    return sorted(range(len(sim_row)), key=lambda j: (-sim_row[j], j))


def nist(sim, probe_ids, gallery_ids, ranks, fpirs, open_ranks):
    mated_rank, mated_score, nonmated_top = [], [], []
    for i, pid in enumerate(probe_ids):
        order = ranked(sim[i])
        mates = [r for r, j in enumerate(order) if gallery_ids[j] == pid]
        if mates:
            mated_rank.append(mates[0] + 1)
            mated_score.append(sim[i][order[mates[0]]])
        else:
            nonmated_top.append(sim[i][order[0]])
    m = len(mated_rank)
    cmc = [sum(1 for r in mated_rank if r <= k) / m for k in ranks]
    tops = sorted(nonmated_top, reverse=True)
    n = len(tops)
    out = {"cmc": cmc, "mated": m, "non_mated": n, "open": {}}
    for R in open_ranks:
        pts = []
        for f in fpirs:
            c = int(math.floor(f * n))
            t = tops[c] if c < n else -math.inf
            fp = sum(1 for v in tops if v > t) / n
            tp = sum(1 for r, s in zip(mated_rank, mated_score) if r <= R and s > t) / m
            pts.append({"threshold": t if c < n else None, "fpir": fp, "tpir": tp})
        out["open"][str(R)] = pts
    return out


def megaface(sim_gallery, sim_distr, probe_ids, gallery_ids, checkpoints):
    hits = [0] * (len(checkpoints) + 1)
    for i, pid in enumerate(probe_ids):
        for c, n in enumerate([0] + checkpoints):
            row = list(sim_gallery[i]) + list(sim_distr[i][:n])
            ids = list(gallery_ids) + [None] * n
            top = ranked(row)[0]
            hits[c] += ids[top] == pid
    return [h / len(probe_ids) for h in hits]


# ------------------------------------------------------------- library data

def gen_lib():
    d, ng1, ng2, nprobe, ndistr = 32, 30, 30, 400, 1500
    centers = unit(rng.standard_normal((ng1 + ng2, d)))
    g_ids = np.arange(ng1 + ng2, dtype=np.int64) * 7 + 1000
    gal = unit(centers + 0.2 * rng.standard_normal(centers.shape))
    who = rng.randint(0, ng1 + ng2, nprobe)
    probes = unit(centers[who] + 0.3 * rng.standard_normal((nprobe, d)))
    p_ids = g_ids[who]
    distr = unit(rng.standard_normal((ndistr, d))).astype(np.float32)

    np.save(os.path.join(HERE, "lib_gallery.npy"), gal)
    np.save(os.path.join(HERE, "lib_gallery_ids.npy"), g_ids)
    np.save(os.path.join(HERE, "lib_probes.npy"), probes)
    np.save(os.path.join(HERE, "lib_probe_ids.npy"), p_ids)
    np.save(os.path.join(HERE, "lib_distractors.npy"), distr)

    golden = {}
    # ijb_1n on the union gallery (every probe mated), float64
    out, _ = capture(ijb_1n_evaluation, probes, gal, gen_mask(p_ids, g_ids))
    golden["ijb_1n"] = out
    # ijb_evals on G1 and on G2, float64
    fars, shown = ijb_evals_fars()
    for name, lo, hi in (("g1", 0, ng1), ("g2", ng1, ng1 + ng2)):
        out, (t1, t5, t10, ths, recs) = capture(ijb_evals_evaluation_1N, probes, gal[lo:hi], p_ids, g_ids[lo:hi], fars)
        golden["ijb_evals_" + name] = {"lines": out, "top": [int(t1), int(t5), int(t10)],
                                       "thresholds": [float(v) for v in ths], "tpirs": [float(v) for v in recs]}
    golden["ijb_evals_fars"] = [float(f) for f in fars]
    golden["ijb_evals_shown"] = [int(i) for i in shown]

    # NIST brute force, float64 over the float32-rounded features
    g32, p32 = gal.astype(np.float32), probes.astype(np.float32)
    np.save(os.path.join(HERE, "lib_gallery32.npy"), g32)
    np.save(os.path.join(HERE, "lib_probes32.npy"), p32)
    np.save(os.path.join(HERE, "lib_g1_32.npy"), g32[:ng1])  # G1 alone: an open-set search
    np.save(os.path.join(HERE, "lib_g1_ids.npy"), g_ids[:ng1])
    sim = np.dot(p32.astype(np.float64), g32[:ng1].astype(np.float64).T)
    golden["nist_g1"] = nist(sim, p_ids, g_ids[:ng1], [1, 2, 5, 10, 20], [0, 0.01, 0.05, 0.1, 0.3, 1], [1, 5])
    sim_all = np.dot(p32.astype(np.float64), g32.astype(np.float64).T)
    sim_d = np.dot(p32.astype(np.float64), distr.astype(np.float64).T)
    cps = [10, 100, 1000, 1500]
    golden["megaface_checkpoints"] = cps
    golden["megaface_rank1"] = megaface(sim_all, sim_d, p_ids, g_ids, cps)
    with open(os.path.join(HERE, "lib_golden.json"), "w") as f:
        json.dump(golden, f, indent=1)


# --------------------------------------------------------------- IJB meta

def image2template_feature(img_feats, templates, medias, choose_templates, choose_ids, norm):
    uniq, idx = np.unique(choose_templates, return_index=True)
    sids = choose_ids[idx]
    tf = np.zeros((len(uniq), img_feats.shape[1]))
    for c, t in enumerate(uniq):
        (ind_t,) = np.where(templates == t)
        ff = img_feats[ind_t]
        fm = medias[ind_t]
        um, cnt = np.unique(fm, return_counts=True)
        mf = []
        for u, ct in zip(um, cnt):
            (ind_m,) = np.where(fm == u)
            mf += [ff[ind_m]] if ct == 1 else [np.mean(ff[ind_m], 0, keepdims=True)]
        tf[c] = np.sum(np.array(mf), 0)
    if norm == "sqrt":  # ijb_1n.py
        tf = tf / np.sqrt(np.sum(tf ** 2, -1, keepdims=True))
    else:  # ijb_evals.py
        tf = sklearn.preprocessing.normalize(tf)
    return tf, uniq, sids


def gen_ijb():
    out_dir = os.path.join(HERE, "ijb")
    meta = os.path.join(out_dir, "meta")
    os.makedirs(meta, exist_ok=True)
    d, nid1, nid2, nprobe = 16, 15, 15, 120
    centers = unit(rng.standard_normal((nid1 + nid2, d)))
    sids = np.arange(nid1 + nid2) * 3 + 5
    # templates: gallery one per identity, then probes; each 1-4 images in 1-2 media
    tmpl_sid = list(sids) + list(sids[rng.randint(0, nid1 + nid2, nprobe)])
    rows, csv_rows, feats, scores = [], {}, [], []
    mid = 9000
    for t, sid in enumerate(tmpl_sid):
        tid = 100 + 3 * t
        nimg = rng.randint(1, 5)
        media = [mid + rng.randint(0, 2) for _ in range(nimg)]
        mid += 2
        c = centers[list(sids).index(sid)]
        noise = 0.3 if t < nid1 + nid2 else 0.6
        for k in range(nimg):
            name = "%d.jpg" % (len(rows) + 1)
            rows.append((name, tid, media[k]))
            f = c + noise * rng.standard_normal(d)
            f2 = c + noise * rng.standard_normal(d)
            feats.append(np.concatenate([f, f2]) * rng.uniform(5, 20))
            scores.append(round(rng.uniform(0.3, 1.0), 3))
            csv_rows.setdefault(t, []).append("%d,%d,%s" % (tid, sid, name))
    feats = np.array(feats, dtype=np.float32)
    np.save(os.path.join(out_dir, "features.npy"), feats)
    with open(os.path.join(meta, "ijbc_face_tid_mid.txt"), "w") as f:
        for name, tid, m in rows:
            f.write("%s %d %d\n" % (name, tid, m))
    with open(os.path.join(meta, "ijbc_name_5pts_score.txt"), "w") as f:
        for (name, _, _), s in zip(rows, scores):
            pts = " ".join("%.3f" % v for v in rng.uniform(30, 90, 10))
            f.write("%s %s %s\n" % (name, pts, s))

    def write_csv(fname, ts):
        with open(os.path.join(meta, fname), "w") as f:
            f.write("TEMPLATE_ID,SUBJECT_ID,FILENAME\n")
            for t in ts:
                f.write("\n".join(csv_rows[t]) + "\n")
    write_csv("ijbc_1N_gallery_G1.csv", range(nid1))
    write_csv("ijbc_1N_gallery_G2.csv", range(nid1, nid1 + nid2))
    write_csv("ijbc_1N_probe_mixed.csv", range(nid1 + nid2, len(tmpl_sid)))

    # both scripts' feature preparation: F2 flip sum, N1 (no norm), D1 detector weights
    templates = np.array([r[1] for r in rows])
    medias = np.array([r[2] for r in rows])
    fs = np.array(scores, dtype=np.float32)
    img = feats[:, :d] + feats[:, d:]
    img = img * fs[:, None]

    def read_csv(fname):
        a = np.loadtxt(os.path.join(meta, fname), dtype=str, skiprows=1, delimiter=',')
        return a[:, 0].astype(int), a[:, 1].astype(int)
    g1t, g1s = read_csv("ijbc_1N_gallery_G1.csv")
    g2t, g2s = read_csv("ijbc_1N_gallery_G2.csv")
    pt, ps = read_csv("ijbc_1N_probe_mixed.csv")

    golden = {}
    # ijb_1n.py main: gallery = G1 and G2 together
    gf, _, gsid = image2template_feature(img, templates, medias, np.concatenate([g1t, g2t]), np.concatenate([g1s, g2s]), "sqrt")
    pf, _, psid = image2template_feature(img, templates, medias, pt, ps, "sqrt")
    golden["ijb_1n"], _ = capture(ijb_1n_evaluation, pf, gf, gen_mask(psid, gsid))
    # ijb_evals.py run_model_test_1N
    f1, _, s1 = image2template_feature(img, templates, medias, g1t, g1s, "sk")
    f2, _, s2 = image2template_feature(img, templates, medias, g2t, g2s, "sk")
    pf, _, psid = image2template_feature(img, templates, medias, pt, ps, "sk")
    fars, shown = ijb_evals_fars()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print("g1_templates_feature:", f1.shape)
        print("g2_templates_feature:", f2.shape)
        print("probe_mixed_templates_feature:", pf.shape)
        print("probe_mixed_unique_subject_ids:", psid.shape)
        print(">>>> Gallery 1")
        r1 = ijb_evals_evaluation_1N(pf, f1, psid, s1, fars)
        print(">>>> Gallery 2")
        r2 = ijb_evals_evaluation_1N(pf, f2, psid, s2, fars)
        print(">>>> Mean")
        q = pf.shape[0]
        print("[Mean] top1: %f, top5: %f, top10: %f" % ((r1[0] + r2[0]) / q, (r1[1] + r2[1]) / q, (r1[2] + r2[2]) / q))
    mean = (np.array(r1[4]) + np.array(r2[4])) / 2
    golden["ijb_evals_lines"] = buf.getvalue()
    golden["ijb_evals_table"] = [[float(fars[i]), float(r1[4][i]), float(r1[3][i]), float(r2[4][i]), float(r2[3][i]), float(mean[i])] for i in shown]
    with open(os.path.join(out_dir, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)


gen_lib()
gen_ijb()
