#!/usr/bin/python3
"""Golden ONNX file for model.ExportONNX, built with onnx.helper.

Run with Debian's python3 (python3-onnx 1.12):
    cd testdata/model && /usr/bin/python3 gen_onnx_export.py

tiny_export.onnx is the graph ExportONNX must write, byte for byte, for a
network with input_dim 4 (shape 1×2×2), one hidden layer of 3 and an
embedding of 2, whose weights follow the formula below (exact in float32),
input_mean 127.5 and input_scale 0.0078125. onnx.checker validates it.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper


def weights(name, out, inp):
    k = sum(map(ord, name))
    w = np.array([[((o * 7 + i * 3 + k) % 11 - 5) / 8 for i in range(inp)] for o in range(out)], np.float32)
    b = np.array([((o * 5 + k) % 7 - 3) / 4 for o in range(out)], np.float32)
    return w, b


def tensor(name, dims, vals):
    return helper.make_tensor(name, TensorProto.FLOAT, dims, np.asarray(vals, np.float32).tobytes(), raw=True)


inits = [tensor("input_mean", [], [127.5]), tensor("input_scale", [], [0.0078125])]
nodes = [
    helper.make_node("Sub", ["data", "input_mean"], ["data_sub"], name="Sub_0"),
    helper.make_node("Mul", ["data_sub", "input_scale"], ["data_norm"], name="Mul_1"),
    helper.make_node("Flatten", ["data_norm"], ["flat"], name="Flatten_2", axis=1),
]
x = "flat"
for name, out, inp, last in [("hidden0", 3, 4, False), ("fc1", 2, 3, True)]:
    w, b = weights(name, out, inp)
    inits += [tensor(name + "_weight", [out, inp], w), tensor(name + "_bias", [out], b)]
    y = "fc1" if last else name
    nodes.append(helper.make_node("Gemm", [x, name + "_weight", name + "_bias"], [y], name=name, transB=1))
    x = y
    if not last:
        nodes.append(helper.make_node("Relu", [x], [name + "_relu"], name=name + "_relu"))
        x = name + "_relu"
graph = helper.make_graph(
    nodes, "evalkit",
    [helper.make_tensor_value_info("data", TensorProto.FLOAT, ["batch", 1, 2, 2])],
    [helper.make_tensor_value_info("fc1", TensorProto.FLOAT, ["batch", 2])],
    initializer=inits)
model = helper.make_model(graph, producer_name="evalkit", producer_version="test",
                          opset_imports=[helper.make_opsetid("", 13)], ir_version=7)
onnx.checker.check_model(model, full_check=True)
with open("tiny_export.onnx", "wb") as f:
    f.write(model.SerializeToString())
