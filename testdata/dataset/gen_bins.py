#!/usr/bin/python3
"""Generates the tiny insightface .bin fixtures of evalkit's dataset tests
with Debian's python3 (pickle), python3-numpy and python3-pil:

    /usr/bin/python3 testdata/dataset/gen_bins.py

Every file holds the same 2 pairs (4 images: JPEG, PNG, JPEG, PNG; the
second PNG is larger than 255 bytes) with issame [True, False], pickled the
ways real .bin files are:
  py2_protocol2.bin  Python 2 style, written opcode by opcode: str images
                     (SHORT_BINSTRING / BINSTRING), BINPUT memo, MARK ...
                     APPENDS, NEWTRUE/NEWFALSE, TUPLE2 (insightface's files)
  py3_protocol2.bin  pickle.dumps(..., protocol=2) from Python 3: bytes as
                     _codecs.encode(text, 'latin1')
  py3_protocol4.bin  protocol 4: FRAME, SHORT_BINBYTES / BINBYTES, MEMOIZE
  numpy_images.bin   images as numpy uint8 arrays (build_eval_pack.py)
  numpy_protocol5.bin  the same at protocol 5 (numpy's _frombuffer form)
expected.json lists each image's length, format and SHA-256."""
import hashlib
import io
import json
import os
import pickle
import struct

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def image(kind, size, seed):
    rng = np.random.RandomState(seed)
    a = rng.randint(0, 256, size=(size, size, 3)).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format=kind)
    return buf.getvalue()


def py2_pickle(bins, issame):
    out = bytearray(b'\x80\x02')
    memo = [0]

    def put():
        out.extend(b'q' + bytes([memo[0]]))
        memo[0] += 1

    out.extend(b']')
    put()
    out.extend(b'(')
    for b in bins:
        if len(b) < 256:
            out.extend(b'U' + bytes([len(b)]) + b)
        else:
            out.extend(b'T' + struct.pack('<i', len(b)) + b)
        put()
    out.extend(b'e')
    out.extend(b']')
    put()
    out.extend(b'(')
    for s in issame:
        out.extend(b'\x88' if s else b'\x89')
    out.extend(b'e')
    out.extend(b'\x86')
    put()
    out.extend(b'.')
    return bytes(out)


def main():
    bins = [image('JPEG', 8, 1), image('PNG', 4, 2), image('JPEG', 8, 3), image('PNG', 12, 4)]
    assert len(bins[1]) < 256 <= len(bins[3]), [len(b) for b in bins]
    issame = [True, False]
    files = {
        'py2_protocol2.bin': py2_pickle(bins, issame),
        'py3_protocol2.bin': pickle.dumps((bins, issame), protocol=2),
        'py3_protocol4.bin': pickle.dumps((bins, issame), protocol=4),
        'numpy_images.bin': pickle.dumps(([np.frombuffer(b, dtype=np.uint8) for b in bins], issame), protocol=4),
        'numpy_protocol5.bin': pickle.dumps(([np.frombuffer(b, dtype=np.uint8).copy() for b in bins], issame), protocol=5),
    }
    for name, data in files.items():
        got = pickle.loads(data, encoding='bytes')
        imgs = [bytes(x) for x in got[0]]
        assert imgs == bins and list(got[1]) == issame, name
        with open(os.path.join(HERE, name), 'wb') as f:
            f.write(data)
    expected = {
        'issame': issame,
        'images': [{'len': len(b), 'format': 'jpeg' if b[:2] == b'\xff\xd8' else 'png',
                    'sha256': hashlib.sha256(b).hexdigest()} for b in bins],
        'sizes': [8, 4, 8, 12],
    }
    with open(os.path.join(HERE, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
