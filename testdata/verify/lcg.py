"""The deterministic generator shared by the golden files and evalkit's Go
tests (verify/lcg_test.go): glibc's LCG, s <- (1103515245 s + 12345) mod 2^31,
u = s / 2^31. Every operation below is exact or a single IEEE rounding, so Go
reproduces the same float32 values bit for bit."""
import numpy as np


class LCG:
    def __init__(self, seed):
        self.s = seed

    def next(self):
        self.s = (1103515245 * self.s + 12345) % (1 << 31)
        return self.s / float(1 << 31)

    def mean4(self):
        a = self.next()
        a += self.next()
        a += self.next()
        a += self.next()
        return a * 0.25


def pair_embeddings(pairs, dims, folds, noise, seed):
    """Rows 2i, 2i+1 form pair i; within each fold block the first half of
    the pairs are the same identity (like LFW's pairs.txt sets). Returns
    float32 original and flipped embeddings and issame."""
    g = LCG(seed)
    emb = np.zeros((2 * pairs, dims), dtype=np.float32)
    flip = np.zeros((2 * pairs, dims), dtype=np.float32)
    block = pairs // folds
    issame = []
    for i in range(pairs):
        same = (i % block) < block // 2
        issame.append(same)
        base = [g.next() - 0.5 for _ in range(dims)]
        other = [g.next() - 0.5 for _ in range(dims)]
        for j in range(dims):
            emb[2 * i, j] = np.float32(base[j] + noise * (g.next() - 0.5))
        for j in range(dims):
            b = base[j] if same else other[j]
            emb[2 * i + 1, j] = np.float32(b + noise * (g.next() - 0.5))
        for r in (2 * i, 2 * i + 1):
            for j in range(dims):
                flip[r, j] = np.float32(float(emb[r, j]) + 0.3 * (g.next() - 0.5))
    return emb, flip, np.array(issame)
