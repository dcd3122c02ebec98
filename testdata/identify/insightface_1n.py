"""insightface's two IJB 1:N evaluations, reproduced step for step with the
same numpy calls in the same order (recognition/_evaluation_/ijb/ijb_1n.py
evaluation() and gen_mask(); ijb_evals.py evaluation_1N() and the FARs of
run_model_test_1N). Used by gen_identify.py for golden files and by
bench/identify_numpy.py as the speed baseline."""
import heapq
import math

import numpy as np


# ---------------------------------------------------------------- ijb_1n.py

def ijb_1n_evaluation(query_feats, gallery_feats, mask):
    """ijb_1n.py evaluation(), the same operations in the same order."""
    fars = [0.01, 0.1]
    print(query_feats.shape)
    print(gallery_feats.shape)
    q = query_feats.shape[0]
    g = gallery_feats.shape[0]
    sim = np.dot(query_feats, gallery_feats.T)
    print('similarity shape', sim.shape)
    order = np.argsort(-sim)
    print(order.shape)
    for k, label in ((1, "top1"), (5, "top5"), (10, "top10")):
        hits = 0
        for i in range(q):
            if mask[i] in order[i, 0:k]:
                hits += 1
        print("{} = {}".format(label, hits / q))
    print(q * g - q)
    need = [math.ceil(q * x) for x in fars]
    pos = []
    for i in range(q):
        pos.append(sim[i, mask[i]])
        sim[i, mask[i]] = -2.0
    pos = np.array(pos)
    print(pos.shape)
    neg = sim[np.where(sim > -2.0)]
    print("neg_sims num = {}".format(len(neg)))
    neg = heapq.nlargest(max(need), neg)
    print("after sorting , neg_sims num = {}".format(len(neg)))
    for far, n in zip(fars, need):
        th = neg[n - 1]
        recall = np.sum(pos > th) / q
        print("far = {:.10f} pr = {:.10f} th = {:.10f}".format(far, recall, th))


def gen_mask(query_ids, reg_ids):
    mask = []
    for qid in query_ids:
        pos = [i for i, x in enumerate(reg_ids) if qid == x]
        assert len(pos) == 1
        mask.append(pos[0])
    return mask


# ------------------------------------------------------------- ijb_evals.py

def ijb_evals_evaluation_1N(query_feats, gallery_feats, query_ids, reg_ids, fars):
    """ijb_evals.py evaluation_1N(), the same operations in the same order."""
    print("query_feats: %s, gallery_feats: %s" % (query_feats.shape, gallery_feats.shape))
    sim = np.dot(query_feats, gallery_feats.T)
    t1 = t5 = t10 = 0
    pos, neg, ng = [], [], []
    for i, qid in enumerate(query_ids):
        if qid in reg_ids:
            label = np.argwhere(reg_ids == qid)[0, 0]
            order = np.argsort(sim[i])[::-1]
            t1 += label in order[:1]
            t5 += label in order[:5]
            t10 += label in order[:10]
            pos.append(sim[i][reg_ids == qid][0])
            neg.append(sim[i][reg_ids != qid])
        else:
            ng.append(sim[i])
    npos = len(pos)
    pos, neg, ng = np.array(pos), np.array(neg), np.array(ng)
    print("pos_sims: %s, neg_sims: %s, non_gallery_sims: %s" % (pos.shape, neg.shape, ng.shape))
    print("top1: %f, top5: %f, top10: %f" % (t1 / npos, t5 / npos, t10 / npos))
    correct = pos > neg.max(1)
    ng_sorted = np.sort(ng.max(1))[::-1]
    ths, recalls = [], []
    for far in fars:
        th = ng_sorted[max(int(ng_sorted.shape[0] * far) - 1, 0)]
        recalls.append(np.logical_and(correct, pos > th).sum() / pos.shape[0])
        ths.append(th)
    return t1, t5, t10, ths, recalls


def ijb_evals_fars(npoints=100):
    fars = [10 ** ii for ii in np.arange(-4, 0, 4 / npoints)] + [1]
    shown = np.arange(len(fars))[:: npoints // 4]
    return fars, shown
