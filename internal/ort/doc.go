// Package ort is a small binding of ONNX Runtime's C API, loaded at run
// time with purego: no cgo, no C compiler, and a program that never runs a
// model needs no ONNX Runtime library at all.
//
// It covers what embedding a batch of images needs: an environment, sessions
// created from a model's bytes (thread counts, graph optimisation), the
// graph's input and output names, element types and shapes, float32 tensors
// allocated by ONNX Runtime, and Run, which a context can interrupt.
//
// The library is found as Load describes: an explicit path, else the
// ONNXRUNTIME_LIB environment variable, else the dynamic loader's usual
// search for libonnxruntime.so.1. ONNX Runtime 1.30's CPU library ships in
// the npm package onnxruntime-node@1.30.0 (MIT):
//
//	npm pack onnxruntime-node@1.30.0
//	tar xzf onnxruntime-node-1.30.0.tgz package/bin/napi-v6/linux/x64/libonnxruntime.so.1
//	export ONNXRUNTIME_LIB=$PWD/package/bin/napi-v6/linux/x64/libonnxruntime.so.1
//
// The binding uses only functions of the C API's first versions, so any
// library from 1.11 on serves.
package ort
