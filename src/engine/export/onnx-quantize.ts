// SPDX-License-Identifier: MIT
// Post-training compression of an exported ONNX model, using only ops ONNX Runtime's CPU provider
// runs: float16 stores every float weight as FLOAT16 behind a Cast (ORT folds it back at load,
// so compute stays float32 with float16-rounded weights); int8 makes Gemm/MatMul dynamic
// (DynamicQuantizeLinear on the activations + MatMulInteger against per-column int8 weights, as
// onnxruntime's quantize_dynamic does) and stores Conv kernels as per-channel int8 behind
// DequantizeLinear (weights-only: ORT's ConvInteger takes uint8 kernels only).
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { AppError } from '../../shared/errors';
import { resourcePath } from '../../platform/app-root';
import type { Quantization } from './types';

const T = { FLOAT: 1, UINT8: 2, INT8: 3, FLOAT16: 10 } as const;

interface TensorObj {
  name: string;
  dims?: number[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
}
interface AttrObj {
  name: string;
  type: number;
  i?: number;
}
interface NodeObj {
  name?: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute?: AttrObj[];
}
type ModelObj = {
  graph: { node: NodeObj[]; initializer: TensorObj[] } & Record<string, unknown>;
  metadata_props?: { key: string; value: string }[];
} & Record<string, unknown>;

let root: protobuf.Root | undefined;
function modelType(): protobuf.Type {
  root ??= protobuf.parse(readFileSync(resourcePath('onnx', 'onnx-subset.proto'), 'utf8'), { keepCase: true }).root;
  return root.lookupType('onnx.ModelProto');
}

/** IEEE half bits of a float32, round to nearest even (overflow to inf, subnormals kept). */
export function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

function floats(t: TensorObj): Float32Array {
  if (t.raw_data && t.raw_data.byteLength) {
    const copy = new Uint8Array(t.raw_data);
    return new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
  }
  return Float32Array.from(t.float_data ?? []);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Symmetric int8 per slice of `axis` (0 or last): q = round(x / s), s = max|x| / 127. */
function quantizeInt8(x: Float32Array, dims: number[], axis: number): { q: Int8Array; scales: Float32Array } {
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const scales = new Float32Array(channels);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / inner) % channels;
    scales[c] = Math.max(scales[c], Math.abs(x[i]));
  }
  for (let c = 0; c < channels; c++) scales[c] = scales[c] > 0 ? scales[c] / 127 : 1;
  const q = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(x[i] / scales[Math.floor(i / inner) % channels])));
  return { q, scales };
}

function attrInt(n: NodeObj, name: string, dflt: number): number {
  const a = n.attribute?.find((x) => x.name === name);
  return a?.i !== undefined ? Number(a.i) : dflt;
}

function toFloat16(m: ModelObj): void {
  const g = m.graph;
  const casts: NodeObj[] = [];
  g.initializer = g.initializer.map((t) => {
    if (t.data_type !== T.FLOAT) return t;
    const f = floats(t);
    if (f.length < 2) return t;
    const h = Uint16Array.from(f, toHalf);
    casts.push({ name: `${t.name}_cast`, op_type: 'Cast', input: [`${t.name}_fp16`], output: [t.name], attribute: [{ name: 'to', type: 2, i: T.FLOAT }] });
    return { name: `${t.name}_fp16`, dims: t.dims, data_type: T.FLOAT16, raw_data: bytesOf(h) };
  });
  g.node = [...casts, ...g.node];
}

function toInt8(m: ModelObj): { dynamic: number; weightsOnly: number } {
  const g = m.graph;
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const extra: TensorObj[] = [];
  const out: NodeObj[] = [];
  const drop = new Set<string>();
  let dynamic = 0;
  let weightsOnly = 0;
  const uses = new Map<string, number>();
  for (const n of g.node) for (const i of n.input) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const n of g.node) {
    const w = inits.get(n.input[1]);
    const gemmOk = n.op_type === 'Gemm' && attrInt(n, 'transA', 0) === 0 && attrInt(n, 'transB', 0) === 0 && (n.attribute ?? []).every((a) => a.name !== 'alpha' && a.name !== 'beta');
    if (w && w.data_type === T.FLOAT && w.dims?.length === 2 && (gemmOk || n.op_type === 'MatMul') && uses.get(w.name) === 1) {
      const dims = w.dims.map(Number);
      const { q, scales } = quantizeInt8(floats(w), dims, 1);
      const p = n.name || n.output[0];
      extra.push(
        { name: `${w.name}_q`, dims, data_type: T.INT8, raw_data: bytesOf(q) },
        { name: `${w.name}_zp`, dims: [dims[1]], data_type: T.INT8, raw_data: new Uint8Array(dims[1]) },
        { name: `${w.name}_scale`, dims: [dims[1]], data_type: T.FLOAT, raw_data: bytesOf(scales) },
      );
      drop.add(w.name);
      out.push(
        { name: `${p}_dq`, op_type: 'DynamicQuantizeLinear', input: [n.input[0]], output: [`${p}_xq`, `${p}_xs`, `${p}_xzp`] },
        { name: `${p}_mmi`, op_type: 'MatMulInteger', input: [`${p}_xq`, `${w.name}_q`, `${p}_xzp`, `${w.name}_zp`], output: [`${p}_i32`] },
        { name: `${p}_f`, op_type: 'Cast', input: [`${p}_i32`], output: [`${p}_f32`], attribute: [{ name: 'to', type: 2, i: T.FLOAT }] },
        { name: `${p}_sx`, op_type: 'Mul', input: [`${p}_f32`, `${p}_xs`], output: [`${p}_sx_out`] },
      );
      const scaled = n.input[2] ? `${p}_sw_out` : n.output[0];
      out.push({ name: `${p}_sw`, op_type: 'Mul', input: [`${p}_sx_out`, `${w.name}_scale`], output: [scaled] });
      if (n.input[2]) out.push({ name: `${p}_bias`, op_type: 'Add', input: [scaled, n.input[2]], output: [n.output[0]] });
      dynamic++;
      continue;
    }
    if (n.op_type === 'Conv' && w && w.data_type === T.FLOAT && !drop.has(w.name) && (w.dims?.length ?? 0) === 4) {
      const dims = w.dims!.map(Number);
      const { q, scales } = quantizeInt8(floats(w), dims, 0);
      extra.push(
        { name: `${w.name}_q`, dims, data_type: T.INT8, raw_data: bytesOf(q) },
        { name: `${w.name}_scale`, dims: [dims[0]], data_type: T.FLOAT, raw_data: bytesOf(scales) },
        { name: `${w.name}_zp`, dims: [dims[0]], data_type: T.INT8, raw_data: new Uint8Array(dims[0]) },
      );
      drop.add(w.name);
      out.push({ name: `${w.name}_dequant`, op_type: 'DequantizeLinear', input: [`${w.name}_q`, `${w.name}_scale`, `${w.name}_zp`], output: [w.name], attribute: [{ name: 'axis', type: 2, i: 0 }] });
      weightsOnly++;
    }
    out.push(n);
  }
  g.initializer = [...g.initializer.filter((t) => !drop.has(t.name)), ...extra];
  g.node = out;
  return { dynamic, weightsOnly };
}

/**
 * Returns the quantised model bytes and what was changed.
 * @throws AppError FILE_CORRUPT when `onnx` is not an ONNX model.
 */
export function quantizeOnnx(onnx: Uint8Array, mode: Quantization): { bytes: Uint8Array; summary: string } {
  const Model = modelType();
  let m: ModelObj;
  try {
    m = Model.toObject(Model.decode(onnx), { longs: Number, defaults: false, arrays: true }) as ModelObj;
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `quantizeOnnx: the input is not an ONNX model (${(err as Error).message}).`, {}, { cause: err });
  }
  let summary: string;
  if (mode === 'float16') {
    toFloat16(m);
    summary = 'float16 weights (Cast to float32 at load)';
  } else {
    const r = toInt8(m);
    summary = `int8: ${r.dynamic} Gemm/MatMul dynamically quantised (DynamicQuantizeLinear + MatMulInteger), ${r.weightsOnly} Conv kernels int8 per channel (DequantizeLinear)`;
  }
  m.metadata_props = [...(m.metadata_props ?? []).filter((p) => p.key !== 'quantization'), { key: 'quantization', value: summary }];
  return { bytes: Model.encode(Model.fromObject(m)).finish(), summary };
}
