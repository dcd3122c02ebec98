#!/usr/bin/python3
"""The exact-ROC baseline of bench/run-verify.sh: scikit-learn's roc_curve
and auc over template-pair scores, then insightface's TAR@FAR row (the ROC
point of nearest FPR, as eval_ijbc.py; vectorised with np.argmin on the
flipped curve as ijb_evals.py does, so that the Python loop of eval_ijbc.py
does not dominate).

    /usr/bin/python3 bench/roc_sklearn.py SCORES.npy LABELS.npy
    /usr/bin/python3 bench/roc_sklearn.py --generate DIR [N]

The second form writes DIR/scores.npy (N float64 scores, default 10 million:
20,000 genuine ~ N(0.55, 0.12), the rest impostor ~ N(0.02, 0.09), the
IJB-C ratio of genuine pairs) and DIR/labels.npy (bool)."""
import sys

import numpy as np
from sklearn.metrics import auc, roc_curve


def generate(out, n):
    rng = np.random.RandomState(7)
    genuine = 20000
    scores = np.concatenate([rng.normal(0.55, 0.12, genuine), rng.normal(0.02, 0.09, n - genuine)])
    labels = np.zeros(n, dtype=bool)
    labels[:genuine] = True
    perm = rng.permutation(n)
    np.save(out + '/scores.npy', scores[perm])
    np.save(out + '/labels.npy', labels[perm])


def main():
    if sys.argv[1] == '--generate':
        generate(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10_000_000)
        return
    scores = np.load(sys.argv[1])
    labels = np.load(sys.argv[2])
    fpr, tpr, _ = roc_curve(labels, scores)
    roc_auc = auc(fpr, tpr)
    fpr, tpr = np.flipud(fpr), np.flipud(tpr)
    row = []
    for x in [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]:
        i = np.argmin(np.abs(fpr - x))
        row.append('%.2f' % (tpr[i] * 100))
    print('ROW', ' '.join(row))
    print('AUC %.6f' % roc_auc)


if __name__ == '__main__':
    main()
