#!/usr/bin/python3
"""insightface's IJB-B/C 1:1 evaluation (recognition/_evaluation_/ijb/ijb_11.py)
with the network replaced by a features file: the baseline of
bench/run-ijbc.sh.

    /usr/bin/python3 bench/ijbc_numpy.py META_DIR FEATS.npy [--job NAME]
        [--target IJBC] [--save-scores FILE]

It runs ijb_11.py's steps as written, loop for loop: the meta files read
into arrays, image2template_feature (np.unique and np.where per template
and per media, np.mean over a media's images), sklearn's normalize,
verification() (template2id table, batches of 100,000 pairs, np.sum(feat1 *
feat2, -1)), roc_curve, and the PrettyTable of TAR at the nearest FPR
(min over a list of (|fpr - x|, i) tuples). The step that runs the network
(get_image_feature) becomes np.load of FEATS.npy (images x 1024 float32,
[f(image) | f(flipped image)], as img_feats would hold); its loop over the
5-point file is kept for the detector scores (the landmarks only feed the
alignment, so they are not parsed). The plot is not drawn and the scores
are not saved unless --save-scores is given (evalkit does neither by
default). Substitutions that change no number: pandas is not installed
here, so the two meta files are read with np.loadtxt, the reader ijb_11.py
had before pandas (commented out in it); with pandas installed the script
uses pd.read_csv as ijb_11.py does.

With BENCH_TIMING=1 in the environment it prints each phase's time to
stderr, as ijb_11.py's "Time: %.2f s." lines do.
"""
import argparse
import os
import sys
import timeit

import numpy as np
import sklearn.preprocessing
from prettytable import PrettyTable
from sklearn.metrics import auc, roc_curve

try:
    import pandas as pd
except ImportError:
    pd = None

TIMING = os.environ.get("BENCH_TIMING") == "1"


def phase(name, start):
    if TIMING:
        print("%-22s %.2f s" % (name, timeit.default_timer() - start), file=sys.stderr)


def read_table(path, cols):
    if pd is not None:
        return pd.read_csv(path, sep=" ", header=None).values
    return np.loadtxt(path, dtype=np.int64, usecols=cols, ndmin=2)


def read_template_media_list(path):
    m = read_table(path, (1, 2))
    if pd is not None:
        m = m[:, 1:3]
    templates = m[:, 0].astype(int)
    medias = m[:, 1].astype(int)
    return templates, medias


def read_template_pair_list(path):
    pairs = read_table(path, (0, 1, 2))
    t1 = pairs[:, 0].astype(int)
    t2 = pairs[:, 1].astype(int)
    label = pairs[:, 2].astype(int)
    return t1, t2, label


def get_image_feature(img_list_path, feats_path):
    # ijb_11.py's loop over the 5-point file, without the network: the
    # features come from the file.
    img_list = open(img_list_path)
    files = img_list.readlines()
    faceness_scores = []
    for img_index, each_line in enumerate(files):
        name_lmk_score = each_line.strip().split(" ")
        faceness_scores.append(name_lmk_score[-1])
    img_feats = np.load(feats_path)
    faceness_scores = np.array(faceness_scores).astype(np.float32)
    return img_feats, faceness_scores


def image2template_feature(img_feats=None, templates=None, medias=None):
    unique_templates = np.unique(templates)
    template_feats = np.zeros((len(unique_templates), img_feats.shape[1]))
    for count_template, uqt in enumerate(unique_templates):
        (ind_t,) = np.where(templates == uqt)
        face_norm_feats = img_feats[ind_t]
        face_medias = medias[ind_t]
        unique_medias, unique_media_counts = np.unique(face_medias, return_counts=True)
        media_norm_feats = []
        for u, ct in zip(unique_medias, unique_media_counts):
            (ind_m,) = np.where(face_medias == u)
            if ct == 1:
                media_norm_feats += [face_norm_feats[ind_m]]
            else:  # image features from the same video will be aggregated into one feature
                media_norm_feats += [np.mean(face_norm_feats[ind_m], axis=0, keepdims=True)]
        media_norm_feats = np.array(media_norm_feats)
        template_feats[count_template] = np.sum(media_norm_feats, axis=0)
        if count_template % 2000 == 0 and TIMING:
            print("Finish Calculating {} template features.".format(count_template), file=sys.stderr)
    template_norm_feats = sklearn.preprocessing.normalize(template_feats)
    return template_norm_feats, unique_templates


def verification(template_norm_feats=None, unique_templates=None, p1=None, p2=None):
    template2id = np.zeros((max(unique_templates) + 1, 1), dtype=int)
    for count_template, uqt in enumerate(unique_templates):
        template2id[uqt] = count_template
    score = np.zeros((len(p1),))  # save cosine distance between pairs
    total_pairs = np.array(range(len(p1)))
    batchsize = 100000  # small batchsize instead of all pairs in one batch due to the memory limiation
    sublists = [total_pairs[i:i + batchsize] for i in range(0, len(p1), batchsize)]
    for c, s in enumerate(sublists):
        feat1 = template_norm_feats[template2id[p1[s]]]
        feat2 = template_norm_feats[template2id[p2[s]]]
        similarity_score = np.sum(feat1 * feat2, -1)
        score[s] = similarity_score.flatten()
    return score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("meta")
    ap.add_argument("feats")
    ap.add_argument("--job", default="insightface")
    ap.add_argument("--target", default="IJBC")
    ap.add_argument("--save-scores")
    a = ap.parse_args()
    target = a.target
    use_norm_score, use_detector_score, use_flip_test = True, True, True
    t = target.lower()

    start = timeit.default_timer()
    templates, medias = read_template_media_list(os.path.join(a.meta, "%s_face_tid_mid.txt" % t))
    phase("read tid_mid", start)
    start = timeit.default_timer()
    p1, p2, label = read_template_pair_list(os.path.join(a.meta, "%s_template_pair_label.txt" % t))
    phase("read pairs", start)
    start = timeit.default_timer()
    img_feats, faceness_scores = get_image_feature(os.path.join(a.meta, "%s_name_5pts_score.txt" % t), a.feats)
    phase("features + 5pts", start)

    start = timeit.default_timer()
    if use_flip_test:
        img_input_feats = img_feats[:, 0:img_feats.shape[1] // 2] + img_feats[:, img_feats.shape[1] // 2:]
    else:
        img_input_feats = img_feats[:, 0:img_feats.shape[1] // 2]
    if use_norm_score:
        img_input_feats = img_input_feats
    else:
        img_input_feats = img_input_feats / np.sqrt(np.sum(img_input_feats ** 2, -1, keepdims=True))
    if use_detector_score:
        img_input_feats = img_input_feats * faceness_scores[:, np.newaxis]
    else:
        img_input_feats = img_input_feats
    template_norm_feats, unique_templates = image2template_feature(img_input_feats, templates, medias)
    phase("templates", start)

    start = timeit.default_timer()
    score = verification(template_norm_feats, unique_templates, p1, p2)
    phase("pair scores", start)
    if a.save_scores:
        np.save(a.save_scores, score)

    start = timeit.default_timer()
    x_labels = [10 ** -6, 10 ** -5, 10 ** -4, 10 ** -3, 10 ** -2, 10 ** -1]
    tpr_fpr_table = PrettyTable(["Methods"] + [str(x) for x in x_labels])
    fpr, tpr, _ = roc_curve(label, score)
    roc_auc = auc(fpr, tpr)
    fpr = np.flipud(fpr)
    tpr = np.flipud(tpr)  # select largest tpr at same fpr
    tpr_fpr_row = ["%s-%s" % (a.job, target)]
    for fpr_iter in np.arange(len(x_labels)):
        _, min_index = min(list(zip(abs(fpr - x_labels[fpr_iter]), range(len(fpr)))))
        tpr_fpr_row.append("%.2f" % (tpr[min_index] * 100))
    tpr_fpr_table.add_row(tpr_fpr_row)
    phase("roc + table", start)
    print(tpr_fpr_table)
    if TIMING:
        print("AUC %.6f" % roc_auc, file=sys.stderr)


if __name__ == "__main__":
    main()
