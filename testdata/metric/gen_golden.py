#!/usr/bin/python3
"""Golden cases for evalkit's metric package, computed independently in numpy.

Run:  /usr/bin/python3 testdata/metric/gen_golden.py      (from the repository root)
Writes testdata/metric/golden.json next to this script and prints nothing.

Every algorithm below is re-implemented from the behavioural spec
(spec/mxnet-metrics.md §1-§6, §8, §11: MXNet 1.9.1's mx.metric and insightface's
AccMetric / LossValueMetric), not from the Go code, with evalkit's documented
decisions where MXNet crashes or is plainly wrong:

  * TopKAccuracy: k is clamped to the class count; membership is decided by a
    stable descending sort with NaN first and ties to the lower index.
  * F1 / MCC: labels are flattened (MXNet broadcasts (N,1) labels, #16880).
  * PearsonCorrelation micro: separate local and global moments (MXNet's
    get_global is always 0.0 and reset_local keeps the moments).
  * MAE / MSE / RMSE: average "batch" (MXNet 1.x, the default) or "sample".

Inputs are float32 (what MXNet's mx.nd.array holds); every computation runs in
float64 on the float32 values, as evalkit accumulates in float64.

JSON layout: {"format": ..., "cases": [case, ...]} where a case is
  {"name", "metric", "args", "updates": [{"labels": [array...], "preds": [array...]}],
   "reset_local_after": index or absent, "expected_local", "expected_global"}
An array is {"shape": [...], "data": [...]} with float32 values written in
their shortest round-trip form (parse them straight to float32); null is NaN.
An array may instead carry {"shape": [...], "gen": {"kind": "splitmix24",
"seed": s}} (the 512x1000 logits, which would not fit in 2 MB as text):
element i (row-major) is
  x = (s + i + 1) * 0x9E3779B97F4A7C15 mod 2^64
  x ^= x >> 30; x *= 0xBF58476D1CE4E5B9; x ^= x >> 27; x *= 0x94D049BB133111EB; x ^= x >> 31
  value = float32(int64(x >> 40) - 2^23) / 2^18          (exact in float32)
Expected values are floats, or null for NaN.
"""

import json
import math
import os

import numpy as np

SEED = 20240611
rng = np.random.default_rng(SEED)
MASK64 = (1 << 64) - 1


# ----------------------------------------------------------------------------
# arrays


class Gen:
    """A generated float32 array (see the module doc for the formula)."""

    def __init__(self, shape, seed):
        self.shape = tuple(shape)
        self.seed = seed
        self.values = splitmix24(seed, int(np.prod(shape))).reshape(shape)


def splitmix24(seed, n):
    i = np.arange(n, dtype=np.uint64)
    x = (i + np.uint64(seed + 1)) * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    v = (x >> np.uint64(40)).astype(np.int64) - (1 << 23)
    return (v.astype(np.float32) / np.float32(1 << 18)).astype(np.float32)


def splitmix24_scalar(seed, i):
    # pure-Python check of the vectorised version
    x = ((seed + i + 1) * 0x9E3779B97F4A7C15) & MASK64
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK64
    x ^= x >> 31
    return float(np.float32((x >> 40) - (1 << 23)) / np.float32(1 << 18))


def f32(x, shape=None):
    a = np.asarray(x, dtype=np.float32)
    if shape is not None:
        a = a.reshape(shape)
    return a


def values(a):
    """The float64 view of a float32 input."""
    if isinstance(a, Gen):
        return a.values.astype(np.float64)
    assert a.dtype == np.float32
    return a.astype(np.float64)


def enc_value(v):
    v = np.float32(v)
    if np.isnan(v):
        return None
    assert np.isfinite(v), "infinities are not used"
    if v == np.trunc(v) and abs(v) < 2**24:
        return int(v)
    s = str(v)  # numpy: shortest repr that round-trips through float32
    f = float(s)
    assert np.float32(f) == v, (s, v)
    return f


def enc(a):
    if isinstance(a, Gen):
        return {"shape": list(a.shape), "gen": {"kind": "splitmix24", "seed": a.seed}}
    return {"shape": list(a.shape), "data": [enc_value(v) for v in a.ravel()]}


def trunc_int(a):
    """int32 cast of MXNet / numpy: truncation toward zero."""
    return np.trunc(a).astype(np.int64)


# ----------------------------------------------------------------------------
# reference metrics (local + global (sum, num), MXNet 1.9.1 semantics)


class Base:
    has_global = True

    def __init__(self):
        self.sum = 0.0
        self.num = 0.0
        self.gsum = 0.0
        self.gnum = 0.0

    def add(self, s, n):
        self.sum += s
        self.num += n
        self.gsum += s
        self.gnum += n

    def reset_local(self):
        self.sum = 0.0
        self.num = 0.0

    def value(self, s, n):
        return float("nan") if n == 0 else s / n

    def get(self):
        return self.value(self.sum, self.num)

    def get_global(self):
        if not self.has_global:
            return self.get()
        return self.value(self.gsum, self.gnum)


def check_len(labels, preds):
    assert len(labels) == len(preds), (len(labels), len(preds))


class Accuracy(Base):
    def __init__(self, axis=1):
        super().__init__()
        self.axis = axis

    def update(self, labels, preds):
        check_len(labels, preds)
        for label, pred in zip(labels, preds):
            l, p = values(label), values(pred)
            if p.shape != l.shape:
                p = np.argmax(p, axis=self.axis)  # first maximum; first NaN if any
            p = trunc_int(p).ravel()
            l = trunc_int(l).ravel()
            assert len(p) == len(l)
            self.add(float(np.sum(p == l)), float(len(l)))


def stable_desc_order(row):
    """Indices of row by score, highest first; NaN above everything; ties to
    the lower index."""
    idx = np.arange(len(row))
    isnan = np.isnan(row)
    key = np.where(isnan, 0.0, -row)
    # lexsort: the last key is the primary one
    return np.lexsort((idx, key, ~isnan))


class TopKAccuracy(Base):
    def __init__(self, top_k):
        super().__init__()
        assert top_k > 1
        self.k = top_k

    def update(self, labels, preds):
        check_len(labels, preds)
        for label, pred in zip(labels, preds):
            p = values(pred)
            assert p.ndim == 2
            l = trunc_int(values(label)).ravel()
            assert len(l) == p.shape[0]
            k = min(self.k, p.shape[1])
            hit = 0
            for r in range(p.shape[0]):
                if l[r] in stable_desc_order(p[r])[:k]:
                    hit += 1
            self.add(float(hit), float(p.shape[0]))


class Binary:
    """_BinaryClassificationMetrics counts, labels flattened."""

    def __init__(self):
        self.c = [0, 0, 0, 0]  # tp, fp, fn, tn
        self.g = [0, 0, 0, 0]

    def update(self, label, pred):
        p = values(pred)
        assert p.ndim == 2
        pl = np.argmax(p, axis=1)
        l = trunc_int(values(label)).ravel()
        assert len(l) == len(pl)
        assert len(np.unique(l)) <= 2
        lt, pt = l == 1, pl == 1
        tp = int(np.sum(lt & pt))
        fp = int(np.sum(~lt & pt))
        fn = int(np.sum(lt & ~pt))
        tn = int(np.sum(~lt & ~pt))
        for acc in (self.c, self.g):
            acc[0] += tp
            acc[1] += fp
            acc[2] += fn
            acc[3] += tn

    @staticmethod
    def fscore(c):
        tp, fp, fn, _ = c
        prec = tp / (tp + fp) if tp + fp > 0 else 0.0
        rec = tp / (tp + fn) if tp + fn > 0 else 0.0
        return 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0

    @staticmethod
    def mcc(c):
        tp, fp, fn, tn = c
        if tp + fp + fn + tn == 0:
            return 0.0
        denom = 1.0
        for t in (tp + fp, tp + fn, tn + fp, tn + fn):
            if t != 0:
                denom *= t
        return (tp * tn - fp * fn) / math.sqrt(denom)


class F1MCC(Base):
    def __init__(self, score, average="macro"):
        super().__init__()
        self.score = score
        self.average = average
        self.b = Binary()

    def update(self, labels, preds):
        check_len(labels, preds)
        for label, pred in zip(labels, preds):
            self.b.update(label, pred)
        if self.average == "macro":
            self.sum += self.score(self.b.c)
            self.gsum += self.score(self.b.g)
            self.num += 1
            self.gnum += 1
            self.b = Binary()
        else:
            n, gn = sum(self.b.c), sum(self.b.g)
            self.sum, self.num = self.score(self.b.c) * n, float(n)
            self.gsum, self.gnum = self.score(self.b.g) * gn, float(gn)

    def reset_local(self):
        super().reset_local()
        self.b.c = [0, 0, 0, 0]


class Perplexity(Base):
    def __init__(self, ignore_label):
        super().__init__()
        self.ignore = ignore_label

    def update(self, labels, preds):
        assert len(labels) == len(preds)
        loss, num = 0.0, 0
        for label, pred in zip(labels, preds):
            p = values(pred)
            assert p.ndim == 2
            C = p.shape[-1]
            lf = values(label).ravel()
            assert lf.size == p.size // C
            idx = np.clip(trunc_int(lf), 0, C - 1)  # pick, mode 'clip'
            picked = p[np.arange(p.shape[0]), idx]
            if self.ignore is not None:
                ign = (lf == self.ignore).astype(np.float64)
                num -= int(ign.sum())
                picked = picked * (1 - ign) + ign
            loss -= float(np.sum(np.log(np.maximum(1e-10, picked))))
            num += picked.size
        self.add(loss, float(num))

    def value(self, s, n):
        return float("nan") if n == 0 else math.exp(s / n)


def as2d(a):
    return a.reshape(-1, 1) if a.ndim == 1 else a


class Regression(Base):
    def __init__(self, kind, average="batch"):
        super().__init__()
        self.kind = kind
        self.per_sample = average == "sample"

    def update(self, labels, preds):
        check_len(labels, preds)
        for label, pred in zip(labels, preds):
            l, p = as2d(values(label)), as2d(values(pred))
            d = l - p  # numpy broadcasting, no shape check
            e = np.abs(d) if self.kind == "mae" else d * d
            if self.per_sample:
                rows = e.reshape(e.shape[0], -1).mean(axis=1)
                self.add(float(rows.sum()), float(e.shape[0]))
            else:
                v = float(e.mean())
                if self.kind == "rmse":
                    v = math.sqrt(v)
                self.add(v, 1.0)

    def value(self, s, n):
        if n == 0:
            return float("nan")
        if self.per_sample and self.kind == "rmse":
            return math.sqrt(s / n)
        return s / n


class CrossEntropy(Base):
    def __init__(self, eps=1e-12):
        super().__init__()
        self.eps = eps

    def update(self, labels, preds):
        check_len(labels, preds)
        for label, pred in zip(labels, preds):
            l = values(label).ravel()
            p = values(pred)
            N = p.shape[0]
            assert l.shape[0] == N
            prob = p[np.arange(N), trunc_int(l)]  # numpy indexing: -1 is the last column
            self.add(float(np.sum(-np.log(prob + self.eps))), float(N))


class Moments:
    def __init__(self):
        self.n = 0
        self.mean_l = 0.0
        self.sse_l = 0.0
        self.mean_p = 0.0
        self.sse_p = 0.0
        self.conv = 0.0

    @staticmethod
    def update_variance(x, count, mean, m2):
        count += len(x)
        delta = x - mean
        mean += np.sum(delta / count)
        delta2 = x - mean
        m2 += np.sum(delta * delta2)
        return count, mean, m2

    def update(self, l, p):
        n0 = self.n
        _, self.mean_l, self.sse_l = self.update_variance(l, n0, self.mean_l, self.sse_l)
        self.conv += np.sum((l - self.mean_l) * (p - self.mean_p))
        self.n, self.mean_p, self.sse_p = self.update_variance(p, n0, self.mean_p, self.sse_p)

    def r(self):
        n = self.n
        return float(self.conv / ((n - 1) * np.sqrt(self.sse_p / (n - 1)) * np.sqrt(self.sse_l / (n - 1))))


class Pearson(Base):
    def __init__(self, average="macro"):
        super().__init__()
        self.micro = average == "micro"
        self.lm = Moments()
        self.gm = Moments()

    def update(self, labels, preds):
        check_len(labels, preds)
        for label, pred in zip(labels, preds):
            assert label.shape == pred.shape
            l, p = values(label).ravel(), values(pred).ravel()
            if self.micro:
                self.lm.update(l, p)
                self.gm.update(l, p)
                self.add(0.0, 1.0)
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    r = np.corrcoef(p, l)[0, 1]
                self.add(float(r), 1.0)

    def reset_local(self):
        super().reset_local()
        self.lm = Moments()

    def get(self):
        if self.num == 0:
            return float("nan")
        return self.lm.r() if self.micro else self.sum / self.num

    def get_global(self):
        if self.gnum == 0:
            return float("nan")
        return self.gm.r() if self.micro else self.gsum / self.gnum


def pcc_calc(cm):
    n = cm.sum()
    x = cm.sum(axis=1)
    y = cm.sum(axis=0)
    cov_xx = np.sum(x * (n - x))
    cov_yy = np.sum(y * (n - y))
    if cov_xx == 0 or cov_yy == 0:
        return float("nan")
    cov_xy = np.sum(np.diag(cm) * n - x * y)
    return float(cov_xy / np.sqrt(cov_xx * cov_yy))


class PCC(Base):
    def __init__(self):
        super().__init__()
        self.k = 2
        self.lcm = np.zeros((2, 2))
        self.gcm = np.zeros((2, 2))

    def grow(self, n):
        if n >= self.k:
            pad = n + 1 - self.k
            self.lcm = np.pad(self.lcm, ((0, pad), (0, pad)))
            self.gcm = np.pad(self.gcm, ((0, pad), (0, pad)))
            self.k = n + 1

    def update(self, labels, preds):
        check_len(labels, preds)
        for label, pred in zip(labels, preds):
            l = trunc_int(values(label))
            p = values(pred)
            if p.shape != l.shape:
                p = np.argmax(p, axis=1)
            else:
                p = trunc_int(p)
            l, p = l.ravel(), p.ravel()
            assert l.min() >= 0 and p.min() >= 0
            self.grow(int(max(p.max(), l.max())))
            bcm = np.zeros((self.k, self.k))
            for i, j in zip(p, l):
                bcm[i, j] += 1
            self.lcm += bcm
            self.gcm += bcm
        self.num += 1
        self.gnum += 1

    def reset_local(self):
        self.num = 0.0
        self.lcm = np.zeros((self.k, self.k))

    def get(self):
        if self.num == 0:
            return float("nan")
        return pcc_calc(self.lcm) * self.num / self.num

    def get_global(self):
        if self.gnum == 0:
            return float("nan")
        return pcc_calc(self.gcm) * self.gnum / self.gnum


class Loss(Base):
    def update(self, labels, preds):
        for pred in preds:
            p = values(pred)
            self.add(float(p.sum()), float(p.size))


class AccMetric(Base):
    has_global = False

    def update(self, labels, preds):
        label, pred = values(labels[0]), values(preds[1])
        if pred.shape != label.shape:
            pred = np.argmax(pred, axis=1)
        pl = trunc_int(pred).ravel()
        if label.ndim == 2:
            label = label[:, 0]
        l = trunc_int(label).ravel()
        assert l.shape == pl.shape
        self.add(float(np.sum(pl == l)), float(len(pl)))


class LossValueMetric(Base):
    has_global = False

    def update(self, labels, preds):
        self.add(float(values(preds[-1]).ravel()[0]), 1.0)


def make(metric, args):
    a = dict(args)
    if metric == "acc":
        return Accuracy(a.get("axis", 1))
    if metric == "top_k_acc":
        return TopKAccuracy(a["top_k"])
    if metric == "f1":
        return F1MCC(Binary.fscore, a.get("average", "macro"))
    if metric == "mcc":
        return F1MCC(Binary.mcc, a.get("average", "macro"))
    if metric == "perplexity":
        return Perplexity(a["ignore_label"])
    if metric in ("mae", "mse", "rmse"):
        return Regression(metric, a.get("average", "batch"))
    if metric in ("ce", "nll_loss"):
        return CrossEntropy(a.get("eps", 1e-12))
    if metric == "pearsonr":
        return Pearson(a.get("average", "macro"))
    if metric == "pcc":
        return PCC()
    if metric == "loss":
        return Loss()
    if metric == "accmetric":
        return AccMetric()
    if metric == "lossvaluemetric":
        return LossValueMetric()
    raise ValueError(metric)


# ----------------------------------------------------------------------------
# cases

CASES = []


def jnum(v):
    return None if math.isnan(v) else float(v)


def case(name, metric, args, updates, reset_local_after=None):
    m = make(metric, args)
    for i, (labels, preds) in enumerate(updates):
        m.update(labels, preds)
        if reset_local_after == i:
            m.reset_local()
    c = {
        "name": name,
        "metric": metric,
        "args": args,
        "updates": [{"labels": [enc(a) for a in l], "preds": [enc(a) for a in p]} for l, p in updates],
    }
    if reset_local_after is not None:
        c["reset_local_after"] = reset_local_after
    c["expected_local"] = jnum(m.get())
    c["expected_global"] = jnum(m.get_global())
    CASES.append(c)
    return m


def probs(n, c, concentration=1.0):
    """Rows of a softmax-like distribution, float32."""
    return f32(rng.dirichlet(np.full(c, concentration), size=n))


def scores(n, c):
    return f32(rng.normal(size=(n, c)))


def ints(n, hi, lo=0):
    return f32(rng.integers(lo, hi, size=n))


def cls_batch(n, c, hit=0.6, p=None):
    """(labels, preds): preds are scores, labels equal the argmax with
    probability hit, else random."""
    pr = scores(n, c) if p is None else p
    am = np.argmax(pr, axis=1)
    rnd = rng.integers(0, c, size=n)
    lab = np.where(rng.random(n) < hit, am, rnd)
    return f32(lab), pr


def bin_batch(n, hit=0.7, cols=2, shape2d=False):
    lab = rng.integers(0, 2, size=n)
    pr = probs(n, cols)
    am = np.argmax(pr, axis=1)
    # make the prediction agree with the label with probability hit
    agree = rng.random(n) < hit
    for r in range(n):
        want = lab[r] if agree[r] else 1 - lab[r]
        if am[r] != want:
            pr[r, [am[r], want]] = pr[r, [want, am[r]]]
    l = f32(lab)
    if shape2d:
        l = l.reshape(n, 1)
    return l, pr


# ---- Accuracy


def gen_acc():
    ups = []
    for n in (8, 1, 13, 5):
        l, p = cls_batch(n, 5)
        ups.append(([l], [p]))
    case("acc_basic_batches_incl_size1", "acc", {}, ups)

    # explicit argmax ties: first maximum wins
    p = f32([[0.2, 0.4, 0.4], [0.5, 0.5, 0.0], [1, 1, 1], [0.1, 0.2, 0.7]])
    case("acc_argmax_ties_first_index", "acc", {}, [([f32([1, 1, 0, 2])], [p]), ([f32([2, 0, 2, 2])], [p])])

    ups = []
    for n in (6, 9, 1):
        l, p = cls_batch(n, 4)
        ups.append(([l], [np.ascontiguousarray(p.T)]))  # (C, N), argmax over axis 0
    case("acc_axis0", "acc", {"axis": 0}, ups)

    # pred shape == label shape: no argmax, both truncated toward zero
    l1 = f32([0, 1, 2, 2.7, -0.5, 3, 1])
    p1 = f32([0.9, 1.7, 2.2, 2.1, 0.4, -0.2, 1.999])
    l2 = f32([[1, 0, 0], [0, 1, 0]])  # one-hot labels vs probabilities (#9582)
    p2 = f32([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    case("acc_same_shape_truncation", "acc", {}, [([l1], [p1]), ([l2], [p2])])

    # 2-D labels are flattened row-major against the (6, C) argmax
    l, p = cls_batch(6, 3)
    l2 = l.reshape(2, 3)
    lb, pb = cls_batch(8, 3)
    case("acc_2d_label_flatten", "acc", {}, [([l2], [p]), ([lb.reshape(4, 2)], [pb])])

    nan = np.nan
    p = f32([
        [0.1, nan, 0.9, 0.2],   # NaN at 1 -> 1
        [0.9, 0.1, 0.3, nan],   # NaN after the maximum -> 3
        [nan, 0.5, nan, 0.1],   # two NaNs -> 0
        [0.2, 0.1, 0.6, 0.1],   # plain -> 2
        [0.3, 0.3, nan, nan],   # -> 2
    ])
    case("acc_nan_in_preds", "acc", {}, [([f32([1, 0, 0, 2, 2])], [p]), ([f32([3, 3, 1])], [p[:3].copy()])])

    # out-of-range labels never match; float labels truncate (2.7 -> 2, -0.5 -> 0)
    p = f32([[0.1, 0.2, 0.7, 0, 0], [0.6, 0.1, 0.1, 0.1, 0.1], [0, 0, 0, 0, 1],
             [0, 0, 0, 0, 1], [0.9, 0, 0, 0.1, 0], [0, 0.5, 0.2, 0.3, 0], [0, 0, 0.9, 0.1, 0]])
    l = f32([2.7, -0.5, 5, 7, -1, 1.9, 100])
    case("acc_labels_out_of_range_and_float", "acc", {}, [([l], [p])])

    ups = []
    for n1, n2 in ((4, 7), (3, 1), (10, 2)):
        a, b = cls_batch(n1, 6), cls_batch(n2, 6)
        ups.append(([a[0], b[0]], [a[1], b[1]]))
    case("acc_two_pairs_reset_local", "acc", {}, ups, reset_local_after=0)


# ---- large logits (512 x 1000), generated


def large_logits(seed):
    g = Gen((512, 1000), seed)
    # the generator formula must match its scalar form
    for i in (0, 1, 999, 123456, 511999):
        assert float(g.values.ravel()[i]) == splitmix24_scalar(seed, i)
    # no ties among the six highest scores of any row (the k-th boundary of top-5)
    top = -np.sort(-g.values, axis=1)[:, :6]
    assert np.all(np.diff(top, axis=1) < 0), "tie in the top 6; pick another seed"
    return g


def large_labels(g, rank_weights):
    """Labels whose rank in their row is drawn from rank_weights (rank 0 = the
    maximum); the remaining mass goes to random classes."""
    v = g.values
    order = np.argsort(-v, axis=1, kind="stable")
    lab = np.empty(v.shape[0])
    ranks = np.arange(len(rank_weights))
    for r in range(v.shape[0]):
        u = rng.random()
        cum = np.cumsum(rank_weights)
        hit = np.searchsorted(cum, u, side="right")
        if hit < len(rank_weights):
            lab[r] = order[r, ranks[hit]]
        else:
            lab[r] = rng.integers(0, v.shape[1])
    return f32(lab)


def gen_large():
    g = large_logits(7)
    lab = large_labels(g, [0.35, 0.08, 0.08, 0.08, 0.08, 0.05])
    l2, p2 = cls_batch(32, 1000, hit=0.3)
    case("acc_large_512x1000", "acc", {}, [([lab], [g]), ([l2], [p2])])
    case("top_k_acc_large_512x1000_k5", "top_k_acc", {"top_k": 5}, [([lab], [g]), ([l2], [p2])])


# ---- TopK


def topk_batch(n, c):
    p = scores(n, c)
    order = np.argsort(-p, axis=1, kind="stable")
    rank = rng.integers(0, c, size=n)
    return f32(order[np.arange(n), rank]), p


def gen_topk():
    ups = [([l], [p]) for l, p in (topk_batch(n, 6) for n in (10, 1, 7))]
    # out-of-range and float labels: 6, -1 never match; 2.9 -> 2
    p = scores(4, 6)
    ups.append(([f32([6, -1, 2.9, np.argsort(-p[3])[1]])], [p]))
    case("top_k_acc_k2_incl_batch1_out_of_range", "top_k_acc", {"top_k": 2}, ups)

    ups = []
    for n1, n2 in ((5, 8), (1, 3), (9, 4)):
        a, b = topk_batch(n1, 10), topk_batch(n2, 10)
        ups.append(([a[0], b[0]], [a[1], b[1]]))
    case("top_k_acc_k3_two_pairs_reset_local", "top_k_acc", {"top_k": 3}, ups, reset_local_after=1)

    # the dedicated tie case: ties go to the lower index, NaN ranks above all
    nan = np.nan
    p = f32([
        [0.5, 0.5, 0.5, 0.1],   # order 0,1,2,3
        [0.1, 0.5, 0.5, 0.5],   # order 1,2,3,0
        [0.3, nan, 0.9, 0.9],   # order 1,2,3,0
        [nan, 0.0, nan, 0.0],   # order 0,2,1,3
        [0.2, 0.7, 0.2, 0.2],   # order 1,0,2,3
        [1.0, 1.0, 1.0, 1.0],   # order 0,1,2,3
    ])
    lab_a = f32([2, 3, 3, 1, 2, 1])  # k=2: 1 of 6 hits; k=3: 6 of 6
    lab_b = f32([1, 0, 2, 2, 0, 2])  # k=2: 4 of 6 hits; k=3: 5 of 6
    case("top_k_acc_k2_ties_and_nan", "top_k_acc", {"top_k": 2}, [([lab_a], [p]), ([lab_b], [p])])
    case("top_k_acc_k3_ties_and_nan", "top_k_acc", {"top_k": 3}, [([lab_a], [p]), ([lab_b], [p])])

    # k above the class count is clamped (MXNet raises): every in-range label hits
    l, p = topk_batch(5, 4)
    l[1] = 4
    l[3] = -2
    case("top_k_acc_k_gt_classes_clamped", "top_k_acc", {"top_k": 10}, [([l], [p]), topk_up(3, 4)])


def topk_up(n, c):
    l, p = topk_batch(n, c)
    return ([l], [p])


# ---- F1 / MCC


def bin_updates(sizes, **kw):
    ups = []
    for s in sizes:
        if isinstance(s, tuple):
            pairs = [bin_batch(n, **kw) for n in s]
            ups.append(([a for a, _ in pairs], [b for _, b in pairs]))
        else:
            a, b = bin_batch(s, **kw)
            ups.append(([a], [b]))
    return ups


def gen_binary():
    # MXNet's test_f1 / test_mcc data (spec §10)
    spec_ups = [
        ([f32([1, 0]), f32([1, 0])], [f32([[.1, .9], [.5, .5]]), f32([[.85, .15], [1, 0]])]),
        ([f32([0]), f32([1])], [f32([[.6, .4]]), f32([[.2, .8]])]),
    ]
    for metric in ("f1", "mcc"):
        for avg in ("macro", "micro"):
            case("%s_%s_spec_test_data" % (metric, avg), metric, {"average": avg}, spec_ups)

    for metric in ("f1", "mcc"):
        case(metric + "_macro_batches", metric, {},
             bin_updates([12, (5, 9), 1, 20]))
        case(metric + "_micro_batches", metric, {"average": "micro"},
             bin_updates([12, (5, 9), 1, 20]))
        case(metric + "_macro_reset_local", metric, {"average": "macro"},
             bin_updates([10, 7, (4, 4), 15]), reset_local_after=1)
        # (N,1) labels are flattened (MXNet broadcasts them, #16880)
        case(metric + "_micro_2d_labels_reset_local", metric, {"average": "micro"},
             bin_updates([9, (6, 3), 11], shape2d=True), reset_local_after=0)

    # perfect predictions with (N,1) labels: the #16880 vector's setting (MXNet: 0.75)
    l = f32([[1], [0], [1], [1]])
    p = f32([[.2, .8], [.9, .1], [.3, .7], [.4, .6]])
    case("f1_micro_2d_label_perfect", "f1", {"average": "micro"}, [([l], [p])])

    # 3-column preds (argmax 2 is negative) and labels {0, 2} (all negative);
    # then all-negative data: F1 0.0, MCC with zero terms in the denominator
    p3 = f32([[.1, .2, .7], [.1, .8, .1], [.6, .3, .1], [.2, .7, .1], [.3, .3, .4]])
    l3 = f32([0, 2, 2, 0, 2])
    p2 = f32([[.9, .1], [.8, .2], [.7, .3]])
    l2 = f32([0, 0, 0])
    for metric in ("f1", "mcc"):
        case(metric + "_micro_3col_preds_labels_0_2", metric, {"average": "micro"}, [([l3], [p3]), ([l2], [p2])])
        case(metric + "_macro_all_negative", metric, {}, [([l2], [p2])])


# ---- Perplexity


def gen_perplexity():
    # MXNet's test_perplexity data
    case("perplexity_spec_test_data", "perplexity", {"ignore_label": -1},
         [([f32([0, 1, 1])], [f32([[.8, .2], [.2, .8], [0, 1]])])])

    ups = []
    for n in (10, 1, 6):
        l = ints(n, 5)
        l[rng.random(n) < 0.3] = -1
        ups.append(([l], [probs(n, 5)]))
    case("perplexity_ignore_minus1", "perplexity", {"ignore_label": -1}, ups)

    # out-of-range labels pick an edge column (clip); zero probability is floored at 1e-10
    p = f32([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0], [0.3, 0.3, 0.4], [0.0, 0.9, 0.1], [0.25, 0.5, 0.25]])
    l = f32([7, 2, -3, 0, 1])
    case("perplexity_clip_and_floor_no_ignore", "perplexity", {"ignore_label": None},
         [([l], [p]), ([f32([2, 2])], [f32([[0.2, 0.8, 0.0], [0.1, 0.1, 0.8]])])])

    # ignore a real class (0); two pairs per call; an all-ignored call
    ups = []
    for n1, n2 in ((6, 4), (3, 5)):
        ups.append(([ints(n1, 4), ints(n2, 4)], [probs(n1, 4), probs(n2, 4)]))
    ups.append(([f32([0, 0])], [probs(2, 4)]))
    ups.append(([ints(7, 4)], [probs(7, 4)]))
    case("perplexity_ignore_class0_two_pairs_reset_local", "perplexity", {"ignore_label": 0},
         ups, reset_local_after=1)

    case("perplexity_axis1_batch1", "perplexity", {"ignore_label": -1, "axis": 1},
         [([ints(1, 3)], [probs(1, 3)]), ([ints(4, 3)], [probs(4, 3)])])


# ---- MAE / MSE / RMSE


def gen_regression():
    # spec §4.7: a batch of 2 errors of 1 and a batch of 6 errors of 4
    spec_ups = [([f32([1, 1])], [f32([0, 0])]), ([f32([4, 4, 4, 4, 4, 4])], [f32([0, 0, 0, 0, 0, 0])])]
    for metric in ("mae", "mse", "rmse"):
        case(metric + "_batch_spec_example", metric, {}, spec_ups)
        case(metric + "_sample_spec_example", metric, {"average": "sample"}, spec_ups)

    def ups_mixed():
        out = []
        # 1-D vs 1-D, batch of 1, (n,1) vs (n,), (n,3) vs (n,3), two pairs in one call
        out.append(([f32(rng.normal(size=7))], [f32(rng.normal(size=7))]))
        out.append(([f32(rng.normal(size=1))], [f32(rng.normal(size=1))]))
        out.append(([f32(rng.normal(size=(5, 1)))], [f32(rng.normal(size=5))]))
        out.append(([f32(rng.normal(size=(4, 3))), f32(rng.normal(size=(2, 3)))],
                    [f32(rng.normal(size=(4, 3))), f32(rng.normal(size=(2, 3)))]))
        return out

    for metric in ("mae", "mse", "rmse"):
        case(metric + "_batch_mixed_shapes", metric, {}, ups_mixed())
        case(metric + "_sample_mixed_shapes", metric, {"average": "sample"}, ups_mixed())

    # broadcast quirk: (n,) label read as (n,1) against an (n,2) pred; 3-D arrays
    def ups_broadcast():
        return [
            ([f32(rng.normal(size=4))], [f32(rng.normal(size=(4, 2)))]),
            ([f32(rng.normal(size=(3, 2, 4)))], [f32(rng.normal(size=(3, 2, 4)))]),
            ([f32(rng.normal(size=(3, 1, 4)))], [f32(rng.normal(size=(3, 5, 1)))]),
            ([f32(rng.normal(size=6))], [f32(rng.normal(size=(6, 3)))]),
        ]

    case("mae_batch_broadcast_quirk_reset_local", "mae", {}, ups_broadcast(), reset_local_after=0)
    case("mse_sample_broadcast_3d", "mse", {"average": "sample"}, ups_broadcast())
    case("rmse_sample_broadcast_reset_local", "rmse", {"average": "sample"}, ups_broadcast(),
         reset_local_after=1)
    case("rmse_batch_broadcast", "rmse", {}, ups_broadcast())


# ---- CrossEntropy / NLL


def gen_ce():
    # MXNet's test_nll_loss data
    case("nll_loss_spec_test_data", "nll_loss", {},
         [([f32([2, 1])], [f32([[.2, .3, .5], [.6, .1, .3]])])])

    ups = []
    for n in (8, 1, 5):
        ups.append(([ints(n, 4)], [probs(n, 4)]))
    # label -1 wraps to the last column, -2 to the one before; a zero probability costs -log(eps)
    p = f32([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.2, 0.0], [0.25, 0.25, 0.5, 0.0], [0.0, 1.0, 0.0, 0.0]])
    ups.append(([f32([-1, -2, 3, 0])], [p]))
    case("ce_negative_labels_wrap_zero_prob", "ce", {}, ups)

    ups = []
    for n1, n2 in ((5, 3), (1, 6), (4, 4)):
        ups.append(([ints(n1, 6), ints(n2, 6)], [probs(n1, 6), probs(n2, 6)]))
    ups.append(([f32([2, 0])], [f32([[0.5, 0.5, 0, 0, 0, 0], [0.0, 0.5, 0.5, 0, 0, 0]])]))
    case("ce_eps_1e-6_two_pairs_reset_local", "ce", {"eps": 1e-6}, ups, reset_local_after=0)

    ups = []
    for n in (6, 3):
        l = ints(n, 3)
        ups.append(([l.reshape(n, 1)], [probs(n, 3)]))
    ups.append(([f32([-1, 1.7])], [f32([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]])]))
    case("nll_loss_2d_labels_float_and_wrap", "nll_loss", {}, ups)


# ---- PearsonCorrelation


def corr_pair(shape, rho=0.6):
    l = rng.normal(size=shape)
    p = rho * l + math.sqrt(1 - rho * rho) * rng.normal(size=shape) + 0.5
    return f32(l), f32(p)


def gen_pearson():
    # MXNet's test_pearsonr data, stage 1
    l = f32([[1, 0], [0, 1], [0, 1]])
    p = f32([[.3, .7], [0, 1], [.4, .6]])
    case("pearsonr_macro_spec_test_data", "pearsonr", {}, [([l], [p])])
    case("pearsonr_micro_spec_test_data_two_updates", "pearsonr", {"average": "micro"},
         [([l], [p]), ([l], [f32([[1, 2], [3, 2], [4, 6]])])])

    def ups():
        out = []
        for shapes in ((10,), (6, 2), ((5, 3), (4,)), (2,), (8, 1)):
            if isinstance(shapes[0], tuple):
                prs = [corr_pair(s) for s in shapes]
                out.append(([a for a, _ in prs], [b for _, b in prs]))
            else:
                a, b = corr_pair(shapes)
                out.append(([a], [b]))
        return out

    u = ups()
    case("pearsonr_macro_pairs", "pearsonr", {"average": "macro"}, u)
    case("pearsonr_micro_pairs", "pearsonr", {"average": "micro"}, u)
    u = ups()
    case("pearsonr_macro_reset_local", "pearsonr", {}, u, reset_local_after=2)
    case("pearsonr_micro_reset_local", "pearsonr", {"average": "micro"}, u, reset_local_after=2)

    # a constant batch gives NaN, which stays in the global sum
    c = [([f32([1, 1, 1, 1])], [f32([0.2, 0.5, 0.1, 0.9])])] + ups()[:2]
    case("pearsonr_macro_constant_nan_reset_local", "pearsonr", {}, c, reset_local_after=0)


# ---- PCC


def pcc_batch(n, c, hit=0.5, argmax=True):
    lab = rng.integers(0, c, size=n)
    pl = np.where(rng.random(n) < hit, lab, rng.integers(0, c, size=n))
    if not argmax:
        return f32(lab), f32(pl)
    p = probs(n, c)
    for r in range(n):
        a = np.argmax(p[r])
        p[r, [a, pl[r]]] = p[r, [pl[r], a]]
    return f32(lab), p


def gen_pcc():
    # MXNet's test_pcc binary confusion matrix [[7,3],[2,5]] (cm[label][pred])
    cm = [[7, 3], [2, 5]]
    lab, pred = [], []
    for i in range(2):
        for j in range(2):
            lab += [i] * cm[i][j]
            pred += [j] * cm[i][j]
    case("pcc_spec_cm_batch", "pcc", {}, [([f32(lab)], [f32(np.eye(2)[pred])])])

    # 3x3 spec matrix, one sample per update in reverse order (label (1,), pred (1,3))
    cm = [[23, 13, 3], [7, 19, 11], [2, 5, 17]]
    lab, pred = [], []
    for i in range(3):
        for j in range(3):
            lab += [i] * cm[i][j]
            pred += [j] * cm[i][j]
    ups = [([f32([lab[s]])], [f32(np.eye(3)[pred[s]].reshape(1, 3))]) for s in reversed(range(len(lab)))]
    case("pcc_spec_3x3_one_sample_per_update_reversed", "pcc", {}, ups)

    # grows from 2 to 4 classes; two pairs in a call
    a = pcc_batch(8, 2)
    b = pcc_batch(6, 3)
    c = pcc_batch(5, 4), pcc_batch(3, 4)
    d = pcc_batch(12, 4)
    ups = [([a[0]], [a[1]]), ([b[0]], [b[1]]), ([c[0][0], c[1][0]], [c[0][1], c[1][1]]), ([d[0]], [d[1]])]
    case("pcc_grow_2_to_4_classes", "pcc", {}, ups)
    case("pcc_grow_reset_local", "pcc", {}, ups, reset_local_after=1)

    # integer preds of the label's shape (no argmax); after reset_local a
    # degenerate matrix (every prediction class 1) gives NaN locally
    e = pcc_batch(10, 3, argmax=False)
    ups = [([e[0]], [e[1]]), ([f32([0, 1, 2, 1])], [f32([1, 1, 1, 1])])]
    case("pcc_int_preds_degenerate_local_nan", "pcc", {}, ups, reset_local_after=0)


# ---- Loss


def gen_loss():
    p = f32([[.3, .7], [0, 1], [.4, .6]])
    case("loss_spec_test_data", "loss", {}, [([], [p])])
    ups = [
        ([], [f32(rng.normal(size=(4, 3)))]),
        ([f32([0])], [f32(rng.normal(size=1))]),
        ([], [f32(rng.normal(size=(2, 5))), f32(rng.normal(size=7))]),
        ([], [f32(rng.normal(size=(3, 2, 2)))]),
    ]
    case("loss_mixed_preds", "loss", {}, ups)
    case("loss_mixed_preds_reset_local", "loss", {}, ups, reset_local_after=2)


# ---- insightface


def face_batch(n, c, hit=0.5, label_cols=None, loss_len=1):
    lab, pr = cls_batch(n, c, hit=hit, p=probs(n, c))
    if label_cols:
        extra = rng.integers(0, c, size=(n, label_cols - 1)).astype(np.float32)
        lab = np.concatenate([lab.reshape(n, 1), extra], axis=1).astype(np.float32)
    emb = f32(rng.normal(size=(n, 4)))
    loss = f32(rng.random(loss_len) * 5)
    return [lab], [emb, pr, loss]


def gen_insightface():
    ups = [face_batch(n, 7) for n in (6, 1, 9, 4)]
    case("accmetric_batches", "accmetric", {}, ups)
    case("accmetric_reset_local", "accmetric", {}, ups, reset_local_after=1)
    # 2-D labels: column 0 only; float labels truncate
    u1 = face_batch(5, 6, label_cols=3)
    u1[0][0][0, 0] = 2.7
    u1[0][0][1, 0] = -0.5
    ups = [u1, face_batch(4, 6, label_cols=2)]
    case("accmetric_2d_labels_column0", "accmetric", {}, ups)

    ups = [face_batch(n, 5, loss_len=ll) for n, ll in ((4, 1), (2, 1), (3, 3), (1, 1))]
    case("lossvaluemetric_batches", "lossvaluemetric", {}, ups)
    case("lossvaluemetric_reset_local", "lossvaluemetric", {}, ups, reset_local_after=2)


def main():
    gen_acc()
    gen_large()
    gen_topk()
    gen_binary()
    gen_perplexity()
    gen_regression()
    gen_ce()
    gen_pearson()
    gen_pcc()
    gen_loss()
    gen_insightface()
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    out = {
        "format": "see testdata/metric/gen_golden.py (module docstring)",
        "generator": "testdata/metric/gen_golden.py",
        "seed": SEED,
        "cases": CASES,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(out, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
