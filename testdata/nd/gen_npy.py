#!/usr/bin/python3
"""Generate the golden .npy/.npz files that evalkit's nd package tests read.

Run from anywhere with Debian's numpy (python3-numpy):

    /usr/bin/python3 testdata/nd/gen_npy.py

It rewrites every file in this directory (except itself) and expected.json,
which lists, for each array file, the dtype and shape numpy reports and the
values in C order (floats as numbers or "nan", "inf", "-inf"; float16 also as
raw bits). Go tests compare against expected.json and never run Python.
"""
import io
import json
import math
import os
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
expected = {"numpy_version": np.__version__, "files": {}}


def enc(v):
    """A JSON value for one element."""
    if isinstance(v, (bool, np.bool_)):
        return int(bool(v))
    if isinstance(v, (np.integer, int)):
        return int(v)
    f = float(v)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return f


def record(name, a, **extra):
    a = np.asarray(a)
    e = {
        "dtype": a.dtype.name,
        "shape": list(a.shape),
        "values": [enc(v) for v in np.ascontiguousarray(a).reshape(-1)],
    }
    if a.dtype == np.float16:
        e["bits"] = [int(b) for b in np.ascontiguousarray(a).reshape(-1).view(np.uint16)]
    e.update(extra)
    expected["files"][name] = e


def save(name, a, **extra):
    """np.save, and record what np.load reads back."""
    path = os.path.join(HERE, name)
    np.save(path, a)
    b = np.load(path)
    record(name, b, **extra)


def write_version(name, a, version):
    with open(os.path.join(HERE, name), "wb") as f:
        np.lib.format.write_array(f, a, version=version)
    record(name, np.load(os.path.join(HERE, name)), version=list(version))


INT_VALUES = {
    "i1": [-128, -1, 0, 1, 42, 127],
    "i2": [-32768, -1, 0, 1, 1234, 32767],
    "i4": [-2147483648, -1, 0, 1, 123456, 2147483647],
    "i8": [-9223372036854775808, -1, 0, 1, 2**53 + 1, 9223372036854775807],
    "u1": [0, 1, 2, 127, 128, 255],
    "u2": [0, 1, 2, 32767, 32768, 65535],
    "u4": [0, 1, 2, 2147483647, 2147483648, 4294967295],
    # values above int64's range are rejected on read: see u8_big.npy
    "u8": [0, 1, 2, 2**53 + 1, 2**62, 9223372036854775807],
}
FLOAT_VALUES = [0.0, -0.0, 1.5, -2.25, float("inf"), float("-inf"), float("nan"), 1e-3,
                3.4e38, 1.0 / 3.0, 65504.0, 6e-8]


def main():
    for f in os.listdir(HERE):
        if f.endswith((".npy", ".npz")) or f == "expected.json":
            os.remove(os.path.join(HERE, f))

    # Every dtype in both byte orders, shape (2, 3); one-byte types only '|'.
    save("bool.npy", np.array([[True, False, True], [False, False, True]]))
    for code, vals in INT_VALUES.items():
        orders = "|" if code[1] == "1" else "<>"
        for o in orders:
            dt = np.dtype(o + code if o != "|" else code)
            tag = {"<": "le", ">": "be", "|": "na"}[o]
            save("%s_%s.npy" % (code, tag), np.array(vals, dtype=dt).reshape(2, 3))
    for code in ["f2", "f4", "f8"]:
        for o, tag in [("<", "le"), (">", "be")]:
            with np.errstate(over="ignore"):  # 3.4e38 overflows float16 to inf, as intended
                vals = np.array(FLOAT_VALUES, dtype=np.float64).astype(np.dtype(o + code))
            save("%s_%s.npy" % (code, tag), vals.reshape(3, 4))

    # float16 specials: ±0, smallest and largest subnormal, smallest normal,
    # largest finite, ±inf, NaN, a value rounded on narrowing.
    f16 = np.array([0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x7C00, 0xFC00,
                    0x7E00, 0x3555, 0xFBFF, 0x8001], dtype=np.uint16).view(np.float16)
    save("f2_specials.npy", f16)

    # float32 -> float16 rounding as numpy does it (astype): ties, subnormal
    # boundaries, overflow, NaN payloads, and random bit patterns.
    rng = np.random.default_rng(20240601)
    special = [
        0x00000000, 0x80000000, 0x3F800000, 0x3F801000, 0x3F803000, 0x3F802000, 0x3F800FFF,
        0x477FE000, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x47800000, 0x7F7FFFFF,
        0x33800000, 0x33000000, 0x33000001, 0x33C00000, 0x387FC000, 0x387FE000, 0x38800000,
        0x387FFFFF, 0x34000000, 0x34400000, 0x00000001, 0x80000001,
        0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FC02000, 0x7FFFFFFF,
    ]
    rand_bits = rng.integers(0, 2**32, size=4000, dtype=np.uint64).astype(np.uint32)
    # also random values inside float16's range, where rounding matters most
    near = rng.uniform(-70000, 70000, size=2000).astype(np.float32).view(np.uint32)
    tiny = rng.uniform(-1e-4, 1e-4, size=2000).astype(np.float32).view(np.uint32)
    bits = np.concatenate([np.array(special, dtype=np.uint32), rand_bits, near, tiny])
    with np.errstate(all="ignore"):
        out = bits.view(np.float32).astype(np.float16).view(np.uint16)
    np.save(os.path.join(HERE, "f32_to_f16_in.npy"), bits)
    np.save(os.path.join(HERE, "f32_to_f16_out.npy"), out)

    # Fortran order, both byte orders and several ranks.
    a = np.arange(24, dtype="<f4").reshape(2, 3, 4) * 1.5
    save("fortran_f4.npy", np.asfortranarray(a), fortran=True)
    save("fortran_i8_be.npy", np.asfortranarray((np.arange(6).reshape(3, 2) - 2).astype(">i8")), fortran=True)

    # 0-d and empty arrays.
    save("scalar_f4.npy", np.array(3.5, dtype=np.float32))
    save("scalar_i8.npy", np.array(-7, dtype=np.int64))
    save("empty_0x3.npy", np.zeros((0, 3), dtype=np.float32))
    save("empty_3x0_i8.npy", np.zeros((3, 0), dtype=np.int64))
    save("empty_1d_b1.npy", np.zeros((0,), dtype=np.bool_))

    # Explicit header versions (np.save picks 1.0 when the header fits).
    write_version("v2_f4.npy", np.arange(6, dtype="<f4").reshape(2, 3), (2, 0))
    write_version("v3_i2.npy", np.arange(4, dtype=">i2"), (3, 0))

    # Typical evaluation dumps: labels and predictions.
    labels = np.array([3, 0, 2, 2], dtype=np.int64)
    preds = rng.standard_normal((4, 5)).astype(np.float32)
    np.savez(os.path.join(HERE, "eval.npz"), label=labels, pred=preds)
    np.savez_compressed(os.path.join(HERE, "eval_compressed.npz"), label=labels, pred=preds)
    np.savez(os.path.join(HERE, "positional.npz"), labels, preds.astype(np.float16), np.array(True))
    for name, arrs in [("eval.npz", [("label", labels), ("pred", preds)]),
                       ("eval_compressed.npz", [("label", labels), ("pred", preds)]),
                       ("positional.npz", [("arr_0", labels), ("arr_1", preds.astype(np.float16)),
                                           ("arr_2", np.array(True))])]:
        with np.load(os.path.join(HERE, name)) as z:
            assert list(z.keys()) == [n for n, _ in arrs], (name, list(z.keys()))
            members = {}
            for n, _ in arrs:
                b = z[n]
                members[n] = {"dtype": b.dtype.name, "shape": list(b.shape),
                              "values": [enc(v) for v in b.reshape(-1)]}
        with zipfile.ZipFile(os.path.join(HERE, name)) as zf:
            methods = sorted({i.compress_type for i in zf.infolist()})
        expected["files"][name] = {"members": [n for n, _ in arrs], "arrays": members,
                                   "compress_types": methods}

    # Files that must be rejected with a clear error (see npy_test.go).
    np.save(os.path.join(HERE, "bad_object.npy"), np.array([1, "a", None], dtype=object),
            allow_pickle=True)
    np.save(os.path.join(HERE, "bad_complex64.npy"), np.array([1 + 2j], dtype=np.complex64))
    np.save(os.path.join(HERE, "bad_unicode.npy"), np.array(["ab", "c"]))
    np.save(os.path.join(HERE, "bad_u8_big.npy"), np.array([1, 2**63], dtype=np.uint64))
    np.save(os.path.join(HERE, "bad_structured.npy"),
            np.zeros(2, dtype=[("x", "<f4"), ("y", "<i4")]))

    with open(os.path.join(HERE, "expected.json"), "w") as f:
        # one file per line: readable diffs, small file
        f.write('{"numpy_version": %s, "files": {\n' % json.dumps(expected["numpy_version"]))
        names = sorted(expected["files"])
        for i, n in enumerate(names):
            f.write(" %s: %s%s\n" % (json.dumps(n), json.dumps(expected["files"][n], sort_keys=True),
                                      "," if i + 1 < len(names) else ""))
        f.write("}}\n")


if __name__ == "__main__":
    main()
