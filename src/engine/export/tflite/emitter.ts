// SPDX-License-Identifier: MIT
// Collects a TFLite graph's tensors and operators in emission order (the order is the file's
// layout, so op mappers must emit in a stable order). With int8, kernels are stored as
// per-channel symmetric int8 and expanded by DEQUANTIZE at load time.
import { TensorType, type BuiltinOp } from './schema';
import type { TflOperator, TflTensor } from './writer';

export function bytes(a: Float32Array | Int32Array | Int8Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** Per-channel symmetric int8 along `axis`. */
export function quantize(data: Float32Array, shape: number[], axis: number): { q: Int8Array; scale: number[] } {
  const ch = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const max = new Array<number>(ch).fill(0);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % ch;
    max[c] = Math.max(max[c], Math.abs(data[i]));
  }
  const scale = max.map((m) => (m > 0 ? m / 127 : 1));
  const q = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(data[i] / scale[Math.floor(i / inner) % ch])));
  return { q, scale };
}

export class Emitter {
  tensors: TflTensor[] = [];
  operators: TflOperator[] = [];
  constructor(private int8: boolean) {}

  tensor(name: string, shape: number[], type: number = TensorType.FLOAT32, data?: Uint8Array): number {
    return this.tensors.push({ name, shape, type, data }) - 1;
  }

  floats(name: string, shape: number[], data: Float32Array): number {
    return this.tensor(name, shape, TensorType.FLOAT32, bytes(data));
  }

  ints(name: string, shape: number[], data: number[]): number {
    return this.tensor(name, shape, TensorType.INT32, bytes(Int32Array.from(data)));
  }

  /** A kernel constant; with int8, an INT8 tensor plus a DEQUANTIZE to float. */
  kernel(name: string, shape: number[], data: Float32Array, axis: number): number {
    if (!this.int8) return this.floats(name, shape, data);
    const { q, scale } = quantize(data, shape, axis);
    const qi = this.tensors.push({ name: `${name}_int8`, shape, type: TensorType.INT8, data: bytes(q), quant: { scale, zeroPoint: scale.map(() => 0), quantizedDimension: axis } }) - 1;
    const out = this.tensor(name, shape);
    this.op('DEQUANTIZE', [qi], [out], { kind: 'DequantizeOptions', values: {} }, 2);
    return out;
  }

  op(op: BuiltinOp, inputs: number[], outputs: number[], options?: TflOperator['options'], version = 1): void {
    this.operators.push({ op, inputs, outputs, options, version });
  }
}
