// Runs a face-embedding ONNX model in ONNX Runtime (npm onnxruntime-node)
// on preprocessed input, batched as evalkit's model path feeds it: each run
// takes B images followed by their B mirrors in one N×3×H×W tensor.
//
//   node ort_embed.mjs MODEL.onnx IMAGES.npy MIRRORS.npy EMB.npy FLIP.npy THREADS BATCH
//
// IMAGES.npy and MIRRORS.npy: float32 N×3×H×W, C order (the preprocessed
// blobs); EMB.npy and FLIP.npy: float32 N×D, their embeddings. THREADS is
// the intra-op thread count (0: ONNX Runtime's choice, one per core). The
// package is found through $ORT_NODE (its directory) or the usual resolution.
// Used by gen_ort_reference.py.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const ort = createRequire(import.meta.url)(process.env.ORT_NODE || 'onnxruntime-node');

function readNpy(path) {
  const b = readFileSync(path);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const off = major === 1 ? 10 : 12;
  const header = b.toString('latin1', off, off + hlen);
  if (!/'descr': '<f4'/.test(header) || !/'fortran_order': False/.test(header)) {
    throw new Error(`${path}: want little-endian float32 in C order, header ${header.trim()}`);
  }
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const start = off + hlen;
  const data = new Float32Array(b.buffer.slice(b.byteOffset + start, b.byteOffset + b.length));
  return { shape, data };
}

function writeNpy(path, shape, data) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

const [model, imagesPath, mirrorsPath, embPath, flipPath, threadsArg, batchArg] = process.argv.slice(2);
if (!batchArg) throw new Error('usage: node ort_embed.mjs MODEL IMAGES.npy MIRRORS.npy EMB.npy FLIP.npy THREADS BATCH');
const threads = Number(threadsArg);
const batch = Number(batchArg);
const images = readNpy(imagesPath);
const mirrors = readNpy(mirrorsPath);
const [n, ...chw] = images.shape;
const size = chw.reduce((a, b) => a * b, 1);

const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 0,
  graphOptimizationLevel: 'all',
});
let dim = 0;
let emb;
let flip;
for (let start = 0; start < n; start += batch) {
  const b = Math.min(batch, n - start);
  const input = new Float32Array(2 * b * size);
  input.set(images.data.subarray(start * size, (start + b) * size), 0);
  input.set(mirrors.data.subarray(start * size, (start + b) * size), b * size);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [2 * b, ...chw]) });
  const y = out[session.outputNames[0]];
  if (!dim) {
    dim = y.dims[1];
    emb = new Float32Array(n * dim);
    flip = new Float32Array(n * dim);
  }
  emb.set(y.data.subarray(0, b * dim), start * dim);
  flip.set(y.data.subarray(b * dim, 2 * b * dim), start * dim);
}
writeNpy(embPath, [n, dim], emb);
writeNpy(flipPath, [n, dim], flip);
