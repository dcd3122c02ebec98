"""insightface's verification.py test() re-created from its description
(evalkit's docs/compatibility.md and the protocol in verify/): embeddings of
the images and of their mirrors, XNorm over all raw rows, the sum of both
L2-normalised, 10 contiguous folds, thresholds i·0.01 chosen on the training
folds, and its two printed lines."""
import numpy as np
import torch
from sklearn.model_selection import KFold
from sklearn.preprocessing import normalize

MEAN, SCALE = np.float32(127.5), np.float32(1 / 127.5)


def blob(bgr_images, mirror=False):
    """ArcFaceONNX's input: BGR→RGB, (x − mean)·(1/std) in float32, NCHW."""
    x = np.stack([im[:, :, ::-1] for im in bgr_images]).astype(np.float32)
    if mirror:
        x = x[:, :, ::-1, :]
    x = (x - MEAN) * SCALE
    return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))


def embed(net, bgr_images, batch=10):
    out = [[], []]
    with torch.no_grad():
        for k, mirror in enumerate((False, True)):
            for i in range(0, len(bgr_images), batch):
                out[k].append(net(blob(bgr_images[i:i + batch], mirror)).numpy())
    return np.concatenate(out[0]), np.concatenate(out[1])


def accuracy(th, dist, same):
    pred = dist < th
    tp = np.sum(pred & same)
    tn = np.sum(~pred & ~same)
    return (tp + tn) / dist.size


def test_lines(name, emb, flip, issame, nfolds=10):
    e0, e1 = emb.astype(np.float64), flip.astype(np.float64)
    norms = [np.linalg.norm(r) for r in np.concatenate([e0, e1])]
    xnorm = sum(norms) / len(norms)
    e = normalize(e0 + e1)
    a, b = e[0::2], e[1::2]
    dist = np.sum(np.square(a - b), 1)
    same = np.asarray(issame)
    thresholds = np.arange(0, 4, 0.01)
    accs = []
    for train, test in KFold(n_splits=nfolds, shuffle=False).split(np.arange(len(same))):
        acc_train = [accuracy(t, dist[train], same[train]) for t in thresholds]
        best = int(np.argmax(acc_train))
        accs.append(accuracy(thresholds[best], dist[test], same[test]))
    return "[%s]XNorm: %f\n[%s]Accuracy-Flip: %1.5f+-%1.5f\n" % (name, xnorm, name, np.mean(accs), np.std(accs))
