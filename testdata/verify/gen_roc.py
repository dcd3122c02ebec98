#!/usr/bin/python3
"""Generates roc_golden.json, the golden values of evalkit's exact ROC, AUC,
EER and TAR@FAR tests, with Debian's python3-sklearn (1.2) and python3-scipy:

    /usr/bin/python3 testdata/verify/gen_roc.py

Scores come from the LCG in lcg.py (mirrored in verify/lcg_test.go)."""
import json
import math
import os
import sys

import numpy as np
from scipy.stats import mannwhitneyu
from sklearn.metrics import auc, roc_curve

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lcg import LCG  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FARS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]


def spec_small():
    return [.9, .8, .8, .7, .6, .5, .5, .4, .3, .2], [1, 1, 0, 0, 1, 0, 0, 0, 0, 0]


def spec_lcg():
    g = LCG(2024)
    s = [0.9 * g.mean4() + 0.1 for _ in range(1000)] + [0.6 * g.mean4() - 0.2 for _ in range(200000)]
    return s, [1] * 1000 + [0] * 200000


def ties():
    g = LCG(99)
    s, y = [], []
    for _ in range(5000):
        v = math.floor(g.next() * 50) / 50
        s.append(v)
        y.append(1 if g.next() < 0.2 + 0.6 * v else 0)
    return s, y


def float32_scores():
    g = LCG(5)
    s, y = [], []
    for _ in range(20000):
        lab = 1 if g.next() < 0.1 else 0
        s.append(float(np.float32(g.mean4() + (0.15 if lab else 0.0))))
        y.append(lab)
    return s, y


def nearest(fpr, tpr, thr, x):
    # eval_ijbc.py: flipud, then min over (|fpr - x|, index)
    f, t, th = np.flipud(fpr), np.flipud(tpr), np.flipud(thr)
    _, i = min(list(zip(abs(f - x), range(len(f)))))
    return float(f[i]), float(t[i]), float(th[i])


def interpolated(fpr, tpr, thr, x):
    hits = np.where(fpr == x)[0]
    if len(hits):
        i = hits[-1]
        return float(tpr[i]), float(thr[i])
    i = int(np.searchsorted(fpr, x, side='right')) - 1
    w = (x - fpr[i]) / (fpr[i + 1] - fpr[i])
    t0 = thr[i] if not math.isinf(thr[i]) else thr[i + 1]
    return float(tpr[i] + w * (tpr[i + 1] - tpr[i])), float(t0 + w * (thr[i + 1] - t0))


def eer(fpr, tpr, thr):
    fnr = 1 - tpr
    for i in range(len(fpr)):
        if fpr[i] >= fnr[i]:
            if fpr[i] == fnr[i] or i == 0:
                return float(fpr[i]), float(thr[i])
            d0, d1 = fpr[i - 1] - fnr[i - 1], fpr[i] - fnr[i]
            w = -d0 / (d1 - d0)
            t0 = thr[i - 1] if not math.isinf(thr[i - 1]) else thr[i]
            return float(fpr[i - 1] + w * (fpr[i] - fpr[i - 1])), float(t0 + w * (thr[i] - t0))


def case(name, scores, labels):
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(labels)
    fpr, tpr, thr = roc_curve(y, s)
    thr = thr.astype(np.float64)
    thr[0] = np.inf  # scikit-learn >= 1.3; 1.2 writes max + 1
    ffpr, ftpr, fthr = roc_curve(y, s, drop_intermediate=False)
    pos, neg = s[y == 1], s[y == 0]
    mw = mannwhitneyu(pos, neg).statistic / (len(pos) * len(neg))
    out = dict(name=name, fpr=fpr.tolist(), tpr=tpr.tolist(), thresholds=[None] + thr[1:].tolist(),
               full_points=len(ffpr), full_fpr=ffpr.tolist() if len(ffpr) < 2000 else None,
               auc=float(auc(fpr, tpr)), mann_whitney_auc=float(mw))
    out['nearest'] = [nearest(fpr, tpr, thr, x) for x in FARS]
    out['nearest_row'] = ' '.join('%.2f' % (n[1] * 100) for n in out['nearest'])
    out['nearest'] = [[a, b, c if not math.isinf(c) else None] for a, b, c in out['nearest']]
    out['interpolated'] = [interpolated(fpr, tpr, thr, x) for x in FARS]
    out['eer'] = eer(fpr, tpr, thr)
    return out


if __name__ == '__main__':
    cases = [case('spec_small', *spec_small()), case('spec_lcg', *spec_lcg()), case('ties', *ties()),
             case('float32', *float32_scores())]
    with open(os.path.join(HERE, 'roc_golden.json'), 'w') as f:
        json.dump(cases, f, indent=0)
        f.write('\n')
    for c in cases:
        print(c['name'], len(c['fpr']), c['auc'], c['mann_whitney_auc'], c['nearest_row'], c['eer'])
