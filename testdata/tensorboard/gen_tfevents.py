#!/usr/bin/python3
"""Decode run.tfevents (written by evalkit's events/tensorboard, see
writer_test.go) with TensorBoard's message types compiled by protoc, and
write expected.json: per record its wall_time, step, file_version and
summary values. Every record's framing is checked: the length, and the
masked CRC-32C of the length and of the data, computed here bit by bit.

Run with Debian's python3-protobuf and protobuf-compiler:
    /usr/bin/python3 testdata/tensorboard/gen_tfevents.py
"""
import importlib
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def crc32c(data):
    # Reflected CRC-32 with the Castagnoli polynomial 0x1EDC6F41 (0x82F63B78).
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(buf):
    pos = 0
    while pos < len(buf):
        head = buf[pos:pos + 8]
        (n,) = struct.unpack("<Q", head)
        (crc_len,) = struct.unpack("<I", buf[pos + 8:pos + 12])
        assert crc_len == masked(head), "length CRC at %d" % pos
        data = buf[pos + 12:pos + 12 + n]
        assert len(data) == n, "record cut at %d" % pos
        (crc_data,) = struct.unpack("<I", buf[pos + 12 + n:pos + 16 + n])
        assert crc_data == masked(data), "data CRC at %d" % pos
        yield data
        pos += 16 + n


def num(v):
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["protoc", "--proto_path=" + HERE, "--python_out=" + tmp, "tb_event.proto"], check=True)
        sys.path.insert(0, tmp)
        pb = importlib.import_module("tb_event_pb2")
        with open(os.path.join(HERE, "run.tfevents"), "rb") as f:
            buf = f.read()
        out = []
        for data in records(buf):
            ev = pb.Event()
            ev.ParseFromString(data)
            # Re-serialising gives the same bytes: no unknown or misplaced fields.
            assert ev.SerializeToString() == data, "round trip"
            rec = {"wall_time": ev.wall_time, "step": ev.step,
                   "file_version": ev.file_version, "values": None}
            if ev.HasField("summary"):
                rec["values"] = [{"tag": v.tag, "simple_value": num(v.simple_value)} for v in ev.summary.value]
            out.append(rec)
    assert out[0]["file_version"] == "brain.Event:2"
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("%d records" % len(out))


if __name__ == "__main__":
    main()
