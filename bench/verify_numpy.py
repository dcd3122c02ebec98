#!/usr/bin/python3
"""insightface's verification protocol written with numpy alone: the
baseline of bench/run-verify.sh.

    /usr/bin/python3 bench/verify_numpy.py EMB.npy [FLIP.npy] ISSAME.npy
    /usr/bin/python3 bench/verify_numpy.py --generate DIR

With BENCH_TIMING=1 in the environment it also prints the time of evaluate()
alone to stderr. The second form writes the benchmark data: DIR/emb.npy and DIR/flip.npy
(12000 x 512 float32: 6000 LFW-like pairs, 10 folds of 300 same then 300
different pairs, accuracy about 0.99) and DIR/issame.npy.

It is verification.py's test() after the network (XNorm, flip sum,
scikit-learn-style L2 normalisation) and evaluate() (calculate_roc over 400
thresholds and calculate_val over 4000, 10 contiguous folds), loop for loop,
with two substitutions that keep the algorithm and change no number:
sklearn's KFold becomes the same contiguous split computed with numpy (sklearn
alone takes longer to import than evalkit takes to run), and SciPy's
interp1d(kind='slinear') becomes its SciPy <= 1.8 closed form (SciPy >= 1.9
raises on the duplicated FARs). It prints insightface's lines, which
run-verify.sh compares with evalkit's."""
import os
import sys
import time

import numpy as np


def kfold(n, k):
    sizes = np.full(k, n // k, dtype=int)
    sizes[: n % k] += 1
    idx = np.arange(n)
    start = 0
    for s in sizes:
        test = idx[start:start + s]
        train = np.concatenate([idx[:start], idx[start + s:]]) if k > 1 else test
        yield train, test
        start += s


def calculate_accuracy(threshold, dist, actual_issame):
    predict_issame = np.less(dist, threshold)
    tp = np.sum(np.logical_and(predict_issame, actual_issame))
    fp = np.sum(np.logical_and(predict_issame, np.logical_not(actual_issame)))
    tn = np.sum(np.logical_and(np.logical_not(predict_issame), np.logical_not(actual_issame)))
    fn = np.sum(np.logical_and(np.logical_not(predict_issame), actual_issame))
    tpr = 0 if (tp + fn == 0) else float(tp) / float(tp + fn)
    fpr = 0 if (fp + tn == 0) else float(fp) / float(fp + tn)
    acc = float(tp + tn) / dist.size
    return tpr, fpr, acc


def calculate_val_far(threshold, dist, actual_issame):
    predict_issame = np.less(dist, threshold)
    true_accept = np.sum(np.logical_and(predict_issame, actual_issame))
    false_accept = np.sum(np.logical_and(predict_issame, np.logical_not(actual_issame)))
    n_same = np.sum(actual_issame)
    n_diff = np.sum(np.logical_not(actual_issame))
    return float(true_accept) / float(n_same), float(false_accept) / float(n_diff)


def slinear(x, y, q):
    n = len(x)
    j = min(max(int(np.searchsorted(x, q, side='right')) - 1, 0), n - 2)
    xa, xb = x[j], x[j + 1]
    if xb == xa:
        return 0.0
    w = 1.0 / (xb - xa)
    return y[j] * (w * (xb - q)) + y[j + 1] * (w * (q - xa))


def evaluate(embeddings, actual_issame, nrof_folds=10):
    e1, e2 = embeddings[0::2], embeddings[1::2]
    dist = np.sum(np.square(np.subtract(e1, e2)), 1)
    n = len(actual_issame)
    thresholds = np.arange(0, 4, 0.01)
    tprs = np.zeros((nrof_folds, len(thresholds)))
    fprs = np.zeros((nrof_folds, len(thresholds)))
    accuracy = np.zeros(nrof_folds)
    for f, (train, test) in enumerate(kfold(n, nrof_folds)):
        acc_train = np.zeros(len(thresholds))
        for t, th in enumerate(thresholds):
            _, _, acc_train[t] = calculate_accuracy(th, dist[train], actual_issame[train])
        best = np.argmax(acc_train)
        for t, th in enumerate(thresholds):
            tprs[f, t], fprs[f, t], _ = calculate_accuracy(th, dist[test], actual_issame[test])
        _, _, accuracy[f] = calculate_accuracy(thresholds[best], dist[test], actual_issame[test])
    thresholds2 = np.arange(0, 4, 0.001)
    val = np.zeros(nrof_folds)
    far = np.zeros(nrof_folds)
    for f, (train, test) in enumerate(kfold(n, nrof_folds)):
        far_train = np.zeros(len(thresholds2))
        for t, th in enumerate(thresholds2):
            _, far_train[t] = calculate_val_far(th, dist[train], actual_issame[train])
        th = slinear(far_train, thresholds2, 1e-3) if np.max(far_train) >= 1e-3 else 0.0
        val[f], far[f] = calculate_val_far(th, dist[test], actual_issame[test])
    return np.mean(tprs, 0), np.mean(fprs, 0), accuracy, np.mean(val), np.std(val), np.mean(far)


def generate(out):
    rng = np.random.RandomState(2024)
    pairs, dims = 6000, 512
    same = np.array([(i % 600) < 300 for i in range(pairs)])
    base = rng.randn(pairs, dims).astype(np.float32)
    other = rng.randn(pairs, dims).astype(np.float32)
    a = base + 1.6 * rng.randn(pairs, dims).astype(np.float32)
    b = np.where(same[:, None], base, other) + 1.6 * rng.randn(pairs, dims).astype(np.float32)
    emb = np.empty((2 * pairs, dims), np.float32)
    emb[0::2], emb[1::2] = a, b
    flip = (emb + 0.5 * rng.randn(2 * pairs, dims)).astype(np.float32)
    np.save(out + '/emb.npy', emb)
    np.save(out + '/flip.npy', flip)
    np.save(out + '/issame.npy', same)


def main():
    if sys.argv[1] == '--generate':
        generate(sys.argv[2])
        return
    paths = sys.argv[1:]
    embs = [np.load(p).astype(np.float64) for p in paths[:-1]]
    issame = np.load(paths[-1]).astype(bool)
    xnorm, cnt = 0.0, 0
    for embed in embs:
        for i in range(embed.shape[0]):
            xnorm += np.linalg.norm(embed[i])
            cnt += 1
    xnorm /= cnt
    emb = embs[0] + embs[1] if len(embs) > 1 else embs[0]
    norms = np.sqrt(np.einsum('ij,ij->i', emb, emb))
    norms[norms < 10 * np.finfo(norms.dtype).eps] = 1.0
    emb /= norms[:, np.newaxis]
    t0 = time.perf_counter()
    _, _, accuracy, val, val_std, far = evaluate(emb, issame)
    if os.environ.get('BENCH_TIMING'):
        print('numpy evaluate() alone: %.4f s' % (time.perf_counter() - t0), file=sys.stderr)
    print('[lfw]XNorm: %f' % xnorm)
    label = 'Accuracy-Flip' if len(embs) > 1 else 'Accuracy'
    print('[lfw]%s: %1.5f+-%1.5f' % (label, np.mean(accuracy), np.std(accuracy)))
    print('[lfw]VAL@FAR=0.001: %1.5f+-%1.5f FAR: %1.5f' % (val, val_std, far))


if __name__ == '__main__':
    main()
