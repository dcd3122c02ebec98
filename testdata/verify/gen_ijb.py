#!/usr/bin/python3
"""Generates ijb_golden.json, the golden values of evalkit's IJB template
tests, with Debian's python3-numpy and python3-sklearn:

    /usr/bin/python3 testdata/verify/gen_ijb.py

The image features, template and media ids and detector scores are drawn
with numpy's RandomState and stored in the file; the template features and
pair scores are computed by eval_ijbc.py's code (insightface
recognition/_evaluation_/ijb/ijb_11.py, eval_ijbc.py): the flip halves summed,
the optional per-image normalisation (use_norm_score = False), the detector
score weighting, image2template_feature and verification, in the numpy
dtypes those scripts use (float32 image features, float64 templates)."""
import json
import os

import numpy as np
import sklearn.preprocessing

HERE = os.path.dirname(os.path.abspath(__file__))


def image2template_feature(img_feats, templates, medias):
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
            else:
                media_norm_feats += [np.mean(face_norm_feats[ind_m], axis=0, keepdims=True)]
        media_norm_feats = np.array(media_norm_feats)
        template_feats[count_template] = np.sum(media_norm_feats, axis=0)
    template_norm_feats = sklearn.preprocessing.normalize(template_feats)
    return template_norm_feats, unique_templates


def verification(template_norm_feats, unique_templates, p1, p2):
    template2id = np.zeros((max(unique_templates) + 1, 1), dtype=int)
    for count_template, uqt in enumerate(unique_templates):
        template2id[uqt] = count_template
    score = np.zeros((len(p1),))
    total_pairs = np.array(range(len(p1)))
    batchsize = 100000
    sublists = [total_pairs[i:i + batchsize] for i in range(0, len(p1), batchsize)]
    for s in sublists:
        feat1 = template_norm_feats[template2id[p1[s]]]
        feat2 = template_norm_feats[template2id[p2[s]]]
        score[s] = np.sum(feat1 * feat2, -1).flatten()
    return score


def inputs(seed, images, dims, ntemplates):
    rng = np.random.RandomState(seed)
    img_feats = (rng.randn(images, 2 * dims) * rng.uniform(0.5, 30, (images, 1))).astype(np.float32)
    templates = rng.randint(1, ntemplates + 1, images) * 3
    # a few media per template, some with 8 or more images
    medias = rng.randint(0, 4, images) + 10 * templates
    medias[: images // 4] = 10 * templates[: images // 4]
    faceness = rng.uniform(0.1, 1.0, images).astype(np.float32)
    uniq = np.unique(templates)
    p1 = rng.choice(uniq, 3 * len(uniq))
    p2 = rng.choice(uniq, 3 * len(uniq))
    return img_feats, templates, medias, faceness, p1, p2


def case(name, seed, images, dims, ntemplates):
    img_feats, templates, medias, faceness, p1, p2 = inputs(seed, images, dims, ntemplates)
    out = {
        'name': name, 'dims': dims,
        'features': [[float(v) for v in row] for row in img_feats],
        'templates': templates.tolist(), 'medias': medias.tolist(),
        'faceness': [float(v) for v in faceness], 'p1': p1.tolist(), 'p2': p2.tolist(),
        'modes': [],
    }
    for norm_images in (False, True):
        for detector in (True, False):
            x = img_feats[:, 0:img_feats.shape[1] // 2] + img_feats[:, img_feats.shape[1] // 2:]
            if norm_images:
                x = x / np.sqrt(np.sum(x ** 2, -1, keepdims=True))
            if detector:
                x = x * faceness[:, np.newaxis]
            feats, uniq = image2template_feature(x, templates, medias)
            scores = verification(feats, uniq, p1, p2)
            out['modes'].append({
                'norm_images': norm_images, 'detector': detector,
                'template_ids': uniq.tolist(),
                'template_features': [[float(v) for v in row] for row in feats],
                'scores': [float(v) for v in scores],
            })
    return out


def main():
    cases = [case('small_dims', 7, 120, 24, 10), case('wide_dims', 8, 24, 136, 4)]
    with open(os.path.join(HERE, 'ijb_golden.json'), 'w') as f:
        json.dump(cases, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
