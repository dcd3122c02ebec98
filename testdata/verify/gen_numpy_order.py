#!/usr/bin/python3
"""Generates numpy_order_golden.json: values that depend on numpy's exact
summation order (pairwise inside buffers of 8192 elements, the buffers added
in order) and on scikit-learn keeping the sign of a zero score, with
Debian's python3-numpy (1.24) and python3-sklearn (1.2):

    /usr/bin/python3 testdata/verify/gen_numpy_order.py

Scores come from the LCG in lcg.py (mirrored in verify/lcg_test.go)."""
import json
import os
import sys

import numpy as np
from sklearn.metrics import auc, roc_curve

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lcg import LCG  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def uniform_scores(n, seed):
    """n scores u (genuine with probability u: an AUC near 2/3), the label
    drawn after the score."""
    g = LCG(seed)
    s, y = [], []
    for _ in range(n):
        u = g.next()
        s.append(u)
        y.append(1 if g.next() < u else 0)
    return s, y


def curve(name, n, seed):
    s, y = uniform_scores(n, seed)
    fpr, tpr, thr = roc_curve(np.asarray(y), np.asarray(s))
    terms = np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0
    return dict(name=name, n=n, seed=seed, points=len(fpr), auc=float(auc(fpr, tpr)),
                auc_one_block=float(0.0 + pairwise(terms.tolist())),
                # a few points, to tie the curve itself to scikit-learn
                sample=[[float(fpr[i]), float(tpr[i]), float(thr[i])] for i in range(1, len(fpr), max(1, len(fpr) // 7))])


def pairwise(a):
    """numpy's pairwise_sum over the whole list (no 8192 buffers): the order
    evalkit used before, kept to show the golden values tell them apart."""
    n = len(a)
    if n < 8:
        r = 0.0
        for x in a:
            r += x
        return r
    if n <= 128:
        r = list(a[:8])
        i = 8
        while i < n - n % 8:
            for k in range(8):
                r[k] += a[i + k]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            res += a[i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return pairwise(a[:n2]) + pairwise(a[n2:])


def sums():
    """np.sum over LCG arrays of several lengths, float64 and float32."""
    out = []
    for n in (8191, 8192, 8193, 20000, 100003):
        g = LCG(n)
        a = np.array([(g.next() - 0.5) * 10.0 ** int(g.next() * 8) for _ in range(n)])
        out.append(dict(n=n, sum64=float(np.sum(a)), sum32=float(np.sum(a.astype(np.float32))),
                        dot=float(np.sum(a * a[::-1]))))
    return out


def signed_zero():
    """sklearn's thresholds keep the sign of the first zero score in input
    order (a stable sort, reversed, keeps the first of a tie group)."""
    out = []
    z, m = 0.0, -0.0
    for name, s, y in [
        ('negative first', [0.5, m, z, -0.3, 0.2, m], [1, 0, 1, 0, 1, 1]),
        ('positive first', [0.5, z, m, -0.3, 0.2, m], [1, 0, 1, 0, 1, 1]),
        ('only negative', [m, 0.25, m, -0.5], [1, 0, 0, 1]),
        ('genuine negative, impostor positive', [0.75, m, z, -0.5], [0, 1, 0, 1]),
    ]:
        fpr, tpr, thr = roc_curve(np.asarray(y), np.asarray(s), drop_intermediate=False)
        thr = thr.tolist()
        out.append(dict(name=name, scores=[repr(x) for x in s], labels=y,
                        thresholds=['inf'] + [repr(x) for x in thr[1:]]))
    return out


if __name__ == '__main__':
    res = dict(curves=[curve('uniform 10000', 10000, 7), curve('uniform 100000', 100000, 11),
                       curve('uniform 400000', 400000, 13)],
               sums=sums(), signed_zero=signed_zero())
    with open(os.path.join(HERE, 'numpy_order_golden.json'), 'w') as f:
        json.dump(res, f, indent=1)
        f.write('\n')
    for c in res['curves']:
        print(c['name'], c['points'], repr(c['auc']), repr(c['auc_one_block']))
    for s in res['sums']:
        print(s)
    for z in res['signed_zero']:
        print(z['name'], z['thresholds'])
