#!/usr/bin/python3
"""Generates protocol_*.json, the golden values of evalkit's verify protocol
tests, with Debian's python3-numpy and python3-sklearn:

    /usr/bin/python3 testdata/verify/gen_protocol.py

Embeddings come from the LCG in lcg.py (mirrored in verify/lcg_test.go), so
only results are stored. Grid-mode values come from insightface_ref.py, a
faithful port of insightface's evaluate(); exact-mode values from a brute
force over every candidate threshold, written independently of evalkit's
one-sort scan."""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import insightface_ref as ref  # noqa: E402
from lcg import pair_embeddings  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def midpoint(a, b):
    m = a + (b - a) / 2
    return m if m > a else b


def exact_reference(dist, issame, nfolds, far_target=1e-3):
    n = len(dist)
    sizes = np.full(nfolds, n // nfolds)
    sizes[: n % nfolds] += 1
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out = dict(fold_accuracies=[], train_accuracies=[], best_thresholds=[], val_thresholds=[], fold_val=[], fold_far=[])
    for f in range(nfolds):
        test = np.zeros(n, bool)
        test[starts[f]:starts[f + 1]] = True
        train = ~test if nfolds > 1 else test
        d, s = dist[train], issame[train]
        u = np.unique(d)
        cands = [u[0]] + [midpoint(u[k], u[k + 1]) for k in range(len(u) - 1)] + [np.nextafter(u[-1], np.inf)]
        accs = [np.mean((d < t) == s) for t in cands]
        b = int(np.argmax(accs))
        th = cands[b]
        out['best_thresholds'].append(float(th))
        out['train_accuracies'].append(float(accs[b]))
        out['fold_accuracies'].append(float(np.mean((dist[test] < th) == issame[test])))
        nneg = np.sum(~s)
        fars = [np.sum((d < t) & ~s) / nneg if nneg else 0.0 for t in cands]
        ok = [k for k, fa in enumerate(fars) if fa <= far_target]
        vt = cands[ok[-1]]
        out['val_thresholds'].append(float(vt))
        pt, nt = dist[test], issame[test]
        out['fold_val'].append(float(np.sum((pt < vt) & nt) / np.sum(nt)))
        out['fold_far'].append(float(np.sum((pt < vt) & ~nt) / np.sum(~nt)))
    out['accuracy'] = float(np.mean(out['fold_accuracies']))
    out['accuracy_std'] = float(np.std(out['fold_accuracies']))
    return out


def case(name, pairs, dims, folds, noise, seed, flip):
    emb, fl, issame = pair_embeddings(pairs, dims, folds, noise, seed)
    r = ref.test_from_embeddings(emb, fl if flip else None, issame, folds)
    label = 'Accuracy-Flip' if flip else 'Accuracy'
    golden = {
        'generator': dict(pairs=pairs, dims=dims, folds=folds, noise=noise, seed=seed, flip=flip),
        'dist_hex': [float(x).hex() for x in r['dist']],
        'xnorm': float(r['xnorm']),
        'accuracy': float(r['acc2']),
        'accuracy_std': float(r['std2']),
        'fold_accuracies': [float(x) for x in r['accuracy']],
        'best_thresholds': [float(x) for x in r['best_thresholds']],
        'val': float(r['val']),
        'val_std': float(r['val_std']),
        'far': float(r['far']),
        'fold_val': [float(x) for x in r['fold_val']],
        'fold_far': [float(x) for x in r['fold_far']],
        'val_thresholds': [float(x) for x in r['val_thresholds']],
        'tpr': [float(x) for x in r['tpr']],
        'fpr': [float(x) for x in r['fpr']],
        'lines': ['[lfw]XNorm: %f' % r['xnorm'], '[lfw]%s: %1.5f+-%1.5f' % (label, r['acc2'], r['std2'])],
        'exact': exact_reference(r['dist'], issame, folds),
    }
    with open(os.path.join(HERE, name), 'w') as f:
        json.dump(golden, f, indent=1)
        f.write('\n')
    print(name, golden['lines'], 'exact', golden['exact']['accuracy'])


def cli_fixture():
    """Small .npy inputs for the evalkit verify command's tests, with the
    lines insightface prints for them (flip and no flip)."""
    emb, fl, issame = pair_embeddings(120, 32, 10, 1.2, 3)
    np.save(os.path.join(HERE, 'cli_emb.npy'), emb)
    np.save(os.path.join(HERE, 'cli_flip.npy'), fl)
    np.save(os.path.join(HERE, 'cli_issame.npy'), issame)
    with open(os.path.join(HERE, 'cli_issame.txt'), 'w') as f:
        f.write(''.join('%d\n' % int(x) for x in issame))
    out = {}
    for key, flip in (('flip', fl), ('noflip', None)):
        r = ref.test_from_embeddings(emb, flip, issame, 10)
        label = 'Accuracy-Flip' if flip is not None else 'Accuracy'
        out[key] = {
            'lines': ['[lfw]XNorm: %f' % r['xnorm'], '[lfw]%s: %1.5f+-%1.5f' % (label, r['acc2'], r['std2'])],
            'accuracy': float(r['acc2']), 'accuracy_std': float(r['std2']),
            'fold_accuracies': [float(x) for x in r['accuracy']],
            'best_thresholds': [float(x) for x in r['best_thresholds']],
            'val': float(r['val']), 'val_std': float(r['val_std']), 'far': float(r['far']),
            'val_thresholds': [float(x) for x in r['val_thresholds']],
            'xnorm': float(r['xnorm']),
        }
    with open(os.path.join(HERE, 'cli_golden.json'), 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print('cli', out['flip']['lines'], out['noflip']['lines'])


if __name__ == '__main__':
    case('protocol_lcg512.json', pairs=600, dims=512, folds=10, noise=3.0, seed=7, flip=True)
    case('protocol_lcg16.json', pairs=41, dims=16, folds=3, noise=1.0, seed=11, flip=False)
    cli_fixture()
