"""A faithful numpy/scikit-learn port of insightface's verification.py
evaluate() (src/eval/verification.py @ 44791134, identical math in
recognition/arcface_torch/eval/verification.py), used as the independent
reference for evalkit's golden files. Only the interp1d(kind='slinear') call
is replaced by the closed form of SciPy <= 1.8 (spec section 2.6), because
SciPy >= 1.9 raises "Expect x to not have duplicates" on every real FAR curve.
"""
import numpy as np
import sklearn.preprocessing
from sklearn.model_selection import KFold


class LFold:
    def __init__(self, n_splits=2, shuffle=False):
        self.n_splits = n_splits
        if self.n_splits > 1:
            self.k_fold = KFold(n_splits=n_splits, shuffle=shuffle)

    def split(self, indices):
        if self.n_splits > 1:
            return self.k_fold.split(indices)
        return [(indices, indices)]


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


def calculate_roc(thresholds, embeddings1, embeddings2, actual_issame, nrof_folds=10):
    nrof_pairs = min(len(actual_issame), embeddings1.shape[0])
    nrof_thresholds = len(thresholds)
    k_fold = LFold(n_splits=nrof_folds, shuffle=False)
    tprs = np.zeros((nrof_folds, nrof_thresholds))
    fprs = np.zeros((nrof_folds, nrof_thresholds))
    accuracy = np.zeros((nrof_folds))
    best_thresholds = np.zeros((nrof_folds))
    indices = np.arange(nrof_pairs)
    diff = np.subtract(embeddings1, embeddings2)
    dist = np.sum(np.square(diff), 1)
    for fold_idx, (train_set, test_set) in enumerate(k_fold.split(indices)):
        acc_train = np.zeros((nrof_thresholds))
        for threshold_idx, threshold in enumerate(thresholds):
            _, _, acc_train[threshold_idx] = calculate_accuracy(threshold, dist[train_set], actual_issame[train_set])
        best_threshold_index = np.argmax(acc_train)
        best_thresholds[fold_idx] = thresholds[best_threshold_index]
        for threshold_idx, threshold in enumerate(thresholds):
            tprs[fold_idx, threshold_idx], fprs[fold_idx, threshold_idx], _ = calculate_accuracy(
                threshold, dist[test_set], actual_issame[test_set])
        _, _, accuracy[fold_idx] = calculate_accuracy(thresholds[best_threshold_index], dist[test_set],
                                                      actual_issame[test_set])
    tpr = np.mean(tprs, 0)
    fpr = np.mean(fprs, 0)
    return tpr, fpr, accuracy, best_thresholds, dist


def slinear(x, y, q):
    """SciPy <= 1.8 interp1d(x, y, kind='slinear')(q), closed form."""
    n = len(x)
    j = int(np.searchsorted(x, q, side='right')) - 1
    j = min(max(j, 0), n - 2)
    xa, xb = x[j], x[j + 1]
    if xb == xa:
        return 0.0
    w = 1.0 / (xb - xa)
    return y[j] * (w * (xb - q)) + y[j + 1] * (w * (q - xa))


def calculate_val_far(threshold, dist, actual_issame):
    predict_issame = np.less(dist, threshold)
    true_accept = np.sum(np.logical_and(predict_issame, actual_issame))
    false_accept = np.sum(np.logical_and(predict_issame, np.logical_not(actual_issame)))
    n_same = np.sum(actual_issame)
    n_diff = np.sum(np.logical_not(actual_issame))
    val = float(true_accept) / float(n_same)
    far = float(false_accept) / float(n_diff)
    return val, far


def calculate_val(thresholds, embeddings1, embeddings2, actual_issame, far_target, nrof_folds=10):
    nrof_pairs = min(len(actual_issame), embeddings1.shape[0])
    nrof_thresholds = len(thresholds)
    k_fold = LFold(n_splits=nrof_folds, shuffle=False)
    val = np.zeros(nrof_folds)
    far = np.zeros(nrof_folds)
    val_thresholds = np.zeros(nrof_folds)
    diff = np.subtract(embeddings1, embeddings2)
    dist = np.sum(np.square(diff), 1)
    indices = np.arange(nrof_pairs)
    for fold_idx, (train_set, test_set) in enumerate(k_fold.split(indices)):
        far_train = np.zeros(nrof_thresholds)
        for threshold_idx, threshold in enumerate(thresholds):
            _, far_train[threshold_idx] = calculate_val_far(threshold, dist[train_set], actual_issame[train_set])
        if np.max(far_train) >= far_target:
            threshold = slinear(far_train, thresholds, far_target)
        else:
            threshold = 0.0
        val_thresholds[fold_idx] = threshold
        val[fold_idx], far[fold_idx] = calculate_val_far(threshold, dist[test_set], actual_issame[test_set])
    return np.mean(val), np.std(val), np.mean(far), val, far, val_thresholds


def evaluate(embeddings, actual_issame, nrof_folds=10):
    thresholds = np.arange(0, 4, 0.01)
    embeddings1 = embeddings[0::2]
    embeddings2 = embeddings[1::2]
    tpr, fpr, accuracy, best, dist = calculate_roc(thresholds, embeddings1, embeddings2,
                                                   np.asarray(actual_issame), nrof_folds=nrof_folds)
    thresholds = np.arange(0, 4, 0.001)
    val, val_std, far, vals, fars, vth = calculate_val(thresholds, embeddings1, embeddings2,
                                                      np.asarray(actual_issame), 1e-3, nrof_folds=nrof_folds)
    return dict(tpr=tpr, fpr=fpr, accuracy=accuracy, best_thresholds=best, dist=dist,
                val=val, val_std=val_std, far=far, fold_val=vals, fold_far=fars, val_thresholds=vth)


def test_from_embeddings(emb0, emb1, issame, nrof_folds=10):
    """verification.test() after the network: xnorm, flip sum, normalise."""
    embeddings_list = [emb0.astype(np.float64)] + ([emb1.astype(np.float64)] if emb1 is not None else [])
    _xnorm = 0.0
    _xnorm_cnt = 0
    for embed in embeddings_list:
        for i in range(embed.shape[0]):
            _em = embed[i]
            _norm = np.linalg.norm(_em)
            _xnorm += _norm
            _xnorm_cnt += 1
    _xnorm /= _xnorm_cnt
    embeddings = embeddings_list[0].copy()
    if len(embeddings_list) > 1:
        embeddings = embeddings_list[0] + embeddings_list[1]
    embeddings = sklearn.preprocessing.normalize(embeddings)
    out = evaluate(embeddings, issame, nrof_folds)
    out['xnorm'] = _xnorm
    out['acc2'] = np.mean(out['accuracy'])
    out['std2'] = np.std(out['accuracy'])
    return out
