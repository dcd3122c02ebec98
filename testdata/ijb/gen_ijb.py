#!/usr/bin/python3
"""A small IJB-C-style directory and insightface's IJB 1:1 result on it.

Run with Debian's python3 (python3-torch 1.13, python3-onnx, python3-opencv,
python3-skimage, python3-sklearn, python3-prettytable), deterministic:
    cd testdata/ijb && /usr/bin/python3 gen_ijb.py

Writes
  IJBC/loose_crop/*.jpg   loose crops: synthetic faces of 8 people, each
                          placed by a random similarity into a 160×160 scene,
                          JPEG quality 75-95 (cv2.imencode)
  IJBC/meta/ijbc_face_tid_mid.txt, ijbc_template_pair_label.txt,
  IJBC/meta/ijbc_name_5pts_score.txt
                          insightface's meta files: 3 templates per person,
                          1-3 media per template, 1-3 images per media; every
                          pair of templates; the five landmarks (where the
                          face's eyes, nose and mouth corners went, plus
                          noise) and a detector score
  model.onnx              a small CNN (conv-BN-PReLU ×3, pool, FC, BN1d; seed
                          3), input "data" N×3×112×112, output "fc1" N×64
  expected_features.npy   insightface's img_feats, [f(image) | f(mirror)] rows
  expected_scores.npy     the template-pair scores, float64
  expected_table.txt      the TAR@FAR table
The reference is insightface's IJB pipeline (recognition/arcface_torch
eval_ijbc.py / ijb_11.py) re-stated: cv2.imread, SimilarityTransform().
estimate(float32 landmarks, float32 template) and cv2.warpAffine to 112×112
(border 0), BGR→RGB, the image and its mirror through the network with
(x/255 − 0.5)/0.5, feats = f(img) + f(mirror), times the detector score,
media means summed per template, L2-normalised, cosine per pair,
sklearn's roc_curve, nearest-FPR TAR in a PrettyTable, method "model".
"""
import os

import cv2
import numpy as np
import sklearn.preprocessing
import torch
from prettytable import PrettyTable
from skimage import transform as trans
from sklearn.metrics import roc_curve
from torch import nn

SRC = np.array([[30.2946, 51.6963], [65.5318, 51.5014], [48.0252, 71.7366],
                [33.5493, 92.3655], [62.7299, 92.2041]], dtype=np.float32)
SRC[:, 0] += 8.0  # eval_ijbc.py's template: arcface_dst


def face(person):
    """A synthetic 112×112 BGR face of a person, landmarks on the template."""
    p = np.random.default_rng(500 + person)
    img = np.zeros((112, 112, 3), np.uint8) + p.integers(40, 200, 3).astype(np.uint8)
    yy, xx = np.mgrid[0:112, 0:112]
    tex = 25 * np.sin(xx / p.uniform(4, 12) + yy / p.uniform(6, 20))[..., None] * p.uniform(-1, 1, 3)
    img = np.clip(img + tex, 0, 255).astype(np.uint8)
    skin = p.integers(90, 230, 3).tolist()
    cv2.ellipse(img, (56, 66), (int(p.uniform(30, 38)), int(p.uniform(40, 48))), 0, 0, 360, skin, -1)
    eye = p.integers(0, 90, 3).tolist()
    r = int(p.integers(3, 7))
    for x, y in SRC[:2]:
        cv2.circle(img, (int(round(x)), int(round(y))), r, eye, -1)
    cv2.circle(img, (int(round(SRC[2, 0])), int(round(SRC[2, 1]))), int(p.integers(2, 5)), p.integers(60, 160, 3).tolist(), -1)
    mouth = p.integers(30, 150, 3).tolist()
    pts = SRC[3:].round().astype(int)
    cv2.line(img, tuple(pts[0]), tuple(pts[1]), mouth, int(p.integers(2, 6)))
    return img


def scene(rng, person):
    """A 160×160 loose crop holding the person's face, and its landmarks."""
    ang, s = rng.uniform(-0.35, 0.35), rng.uniform(0.9, 1.3)
    c, si = s * np.cos(ang), s * np.sin(ang)
    t = np.array([80, 80]) - np.array([[c, -si], [si, c]]) @ np.array([56, 66]) + rng.uniform(-10, 10, 2)
    M = np.array([[c, -si, t[0]], [si, c, t[1]]])
    bg = np.clip(rng.normal(120, 40, (160, 160, 3)), 0, 255).astype(np.uint8)
    f = face(person).astype(np.float64) * rng.uniform(0.6, 1.4, 3) + rng.normal(0, 25, (112, 112, 3))
    f = np.clip(f, 0, 255).astype(np.uint8)
    out = cv2.warpAffine(f, M, (160, 160), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT, dst=bg)
    lmk = SRC.astype(np.float64) @ M[:, :2].T + M[:, 2] + rng.normal(0, 3.0, (5, 2))
    return out, lmk


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        def block(i, o, k, s):
            return [nn.Conv2d(i, o, k, s, bias=False), nn.BatchNorm2d(o), nn.PReLU(o)]
        self.features = nn.Sequential(*block(3, 16, 5, 2), *block(16, 24, 3, 2), *block(24, 32, 3, 2),
                                      nn.AdaptiveAvgPool2d(4), nn.Flatten())
        self.fc = nn.Linear(512, 64)
        self.bn = nn.BatchNorm1d(64)

    def forward(self, x):
        return self.bn(self.fc(self.features(x)))


def main():
    rng = np.random.default_rng(11)
    torch.manual_seed(3)
    net = Net()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    net.eval()

    os.makedirs("IJBC/loose_crop", exist_ok=True)
    os.makedirs("IJBC/meta", exist_ok=True)
    names, tids, mids, lmks, dscores = [], [], [], [], []
    tid, mid, n = 100, 5000, 0
    for person in range(8):
        for _ in range(3):
            tid += int(rng.integers(1, 4))
            for _ in range(int(rng.integers(1, 4))):
                mid += int(rng.integers(1, 9))
                for _ in range(int(rng.integers(1, 4))):
                    img, lmk = scene(rng, person)
                    n += 1
                    name = "%d.jpg" % (n * 7 + 3)
                    ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(75, 96))])
                    assert ok
                    with open("IJBC/loose_crop/" + name, "wb") as f:
                        f.write(jpg.tobytes())
                    names.append(name)
                    tids.append(tid)
                    mids.append(mid)
                    lmks.append(lmk)
                    dscores.append("%.6f" % rng.uniform(0.4, 1.0))
    with open("IJBC/meta/ijbc_face_tid_mid.txt", "w") as f:
        for nm, t, m in zip(names, tids, mids):
            f.write("%s %d %d\n" % (nm, t, m))
    with open("IJBC/meta/ijbc_name_5pts_score.txt", "w") as f:
        for nm, l, s in zip(names, lmks, dscores):
            f.write(nm + " " + " ".join("%.3f" % v for v in l.ravel()) + " " + s + "\n")
    # Templates are made person by person, three each, in id order.
    uniq = sorted(set(tids))
    owner = {t: k // 3 for k, t in enumerate(uniq)}
    p1, p2, label = [], [], []
    for a in range(len(uniq)):
        for b in range(a + 1, len(uniq)):
            p1.append(uniq[a])
            p2.append(uniq[b])
            label.append(int(owner[uniq[a]] == owner[uniq[b]]))
    with open("IJBC/meta/ijbc_template_pair_label.txt", "w") as f:
        for a, b, l in zip(p1, p2, label):
            f.write("%d %d %d\n" % (a, b, l))

    # insightface's pipeline, read back from the files.
    lines = open("IJBC/meta/ijbc_name_5pts_score.txt").read().splitlines()
    blobs, faceness = [], []
    for line in lines:
        parts = line.strip().split(" ")
        img = cv2.imread("IJBC/loose_crop/" + parts[0])
        lmk = np.array([float(x) for x in parts[1:-1]], dtype=np.float32).reshape((5, 2))
        tform = trans.SimilarityTransform()
        tform.estimate(lmk, SRC)
        M = tform.params[0:2, :]
        al = cv2.warpAffine(img, M, (112, 112), borderValue=0.0)
        al = cv2.cvtColor(al, cv2.COLOR_BGR2RGB)
        blobs += [np.transpose(al, (2, 0, 1)), np.transpose(np.fliplr(al), (2, 0, 1))]
        faceness.append(parts[-1])
    batch = torch.Tensor(np.array(blobs, dtype=np.uint8))
    batch.div_(255).sub_(0.5).div_(0.5)
    # Centre the embedding on these images (the last BatchNorm's running
    # mean), so that cosines spread out as a trained model's do.
    with torch.no_grad():
        net.bn.running_mean.copy_(net.fc(net.features(batch)).mean(0))
        net.bn.bias.zero_()
    torch.onnx.export(net, torch.zeros(1, 3, 112, 112), "model.onnx", input_names=["data"], output_names=["fc1"],
                      dynamic_axes={"data": {0: "batch"}, "fc1": {0: "batch"}}, opset_version=13)
    with torch.no_grad():
        feat = net(batch).numpy()
    img_feats = feat.reshape([len(lines), 2 * feat.shape[1]])
    np.save("expected_features.npy", img_feats)
    faceness = np.array(faceness).astype(np.float32)
    feats = img_feats[:, :img_feats.shape[1] // 2] + img_feats[:, img_feats.shape[1] // 2:]
    feats = feats * faceness[:, np.newaxis]
    templates, medias = np.array(tids), np.array(mids)
    unique_templates = np.unique(templates)
    template_feats = np.zeros((len(unique_templates), feats.shape[1]))
    for k, uqt in enumerate(unique_templates):
        (ind_t,) = np.where(templates == uqt)
        fm = feats[ind_t]
        med = medias[ind_t]
        um, uc = np.unique(med, return_counts=True)
        media_feats = []
        for u, ct in zip(um, uc):
            (ind_m,) = np.where(med == u)
            media_feats += [fm[ind_m]] if ct == 1 else [np.mean(fm[ind_m], axis=0, keepdims=True)]
        template_feats[k] = np.sum(np.array(media_feats), axis=0)
    tn = sklearn.preprocessing.normalize(template_feats)
    t2id = {t: k for k, t in enumerate(unique_templates)}
    score = np.array([np.sum(tn[t2id[a]] * tn[t2id[b]]) for a, b in zip(p1, p2)])
    np.save("expected_scores.npy", score)
    x_labels = [10 ** -6, 10 ** -5, 10 ** -4, 10 ** -3, 10 ** -2, 10 ** -1]
    table = PrettyTable(["Methods"] + [str(x) for x in x_labels])
    fpr, tpr, _ = roc_curve(np.array(label), score)
    fpr, tpr = np.flipud(fpr), np.flipud(tpr)
    row = ["model-IJBC"]
    for x in x_labels:
        _, i = min(list(zip(abs(fpr - x), range(len(fpr)))))
        row.append("%.2f" % (tpr[i] * 100))
    table.add_row(row)
    with open("expected_table.txt", "w") as f:
        f.write(str(table) + "\n")
    print(table)
    lab = np.array(label, bool)
    print("genuine min %.4f, impostor max %.4f" % (score[lab].min(), score[~lab].max()))
    print(len(lines), "images,", len(unique_templates), "templates,", len(p1), "pairs,", sum(label), "genuine")


main()
