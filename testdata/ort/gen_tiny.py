#!/usr/bin/python3
"""Writes tiny.onnx, the model internal/ort's tests run: y = x·W + b with a
dynamic batch, x of shape (N, 3), W = [[1, 2], [3, 4], [5, 6]], b = [0.5, -1].
Expected outputs are worked by hand in the test.

Run with Debian's python3-onnx: /usr/bin/python3 gen_tiny.py
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

W = np.array([[1, 2], [3, 4], [5, 6]], dtype=np.float32)
b = np.array([0.5, -1], dtype=np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
    "tiny",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
    [numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="evalkit gen_tiny.py")
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, "tiny.onnx")
