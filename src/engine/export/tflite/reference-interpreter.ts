// SPDX-License-Identifier: MIT
// A small TFLite interpreter for tests, independent of the exporter: it parses the flatbuffer with
// its own reader (vtables by hand, slot numbers from schema.fbs) and runs the builtin ops the
// exporter emits with tfjs kernels, following TFLite's op semantics (NHWC, OHWI filters,
// SAME/VALID padding, per-channel DEQUANTIZE). Use it where no TFLite runtime is installed.
import * as tf from '@tensorflow/tfjs';

class Table {
  constructor(private v: DataView, readonly pos: number) {}
  private field(slot: number): number {
    const vt = this.pos - this.v.getInt32(this.pos, true);
    const vtSize = this.v.getUint16(vt, true);
    const at = 4 + slot * 2;
    if (at >= vtSize) return 0;
    const off = this.v.getUint16(vt + at, true);
    return off ? this.pos + off : 0;
  }
  int(slot: number, dflt = 0): number {
    const p = this.field(slot);
    return p ? this.v.getInt32(p, true) : dflt;
  }
  byte(slot: number, dflt = 0): number {
    const p = this.field(slot);
    return p ? this.v.getInt8(p) : dflt;
  }
  float(slot: number, dflt = 0): number {
    const p = this.field(slot);
    return p ? this.v.getFloat32(p, true) : dflt;
  }
  private vec(slot: number): [number, number] | null {
    const p = this.field(slot);
    if (!p) return null;
    const start = p + this.v.getUint32(p, true);
    return [start + 4, this.v.getUint32(start, true)];
  }
  ints(slot: number): number[] {
    const r = this.vec(slot);
    return r ? Array.from({ length: r[1] }, (_, i) => this.v.getInt32(r[0] + 4 * i, true)) : [];
  }
  floats(slot: number): number[] {
    const r = this.vec(slot);
    return r ? Array.from({ length: r[1] }, (_, i) => this.v.getFloat32(r[0] + 4 * i, true)) : [];
  }
  longs(slot: number): number[] {
    const r = this.vec(slot);
    return r ? Array.from({ length: r[1] }, (_, i) => Number(this.v.getBigInt64(r[0] + 8 * i, true))) : [];
  }
  bytes(slot: number): Uint8Array {
    const r = this.vec(slot);
    return r ? new Uint8Array(this.v.buffer, this.v.byteOffset + r[0], r[1]) : new Uint8Array(0);
  }
  string(slot: number): string {
    return new TextDecoder().decode(this.bytes(slot));
  }
  table(slot: number): Table | null {
    const p = this.field(slot);
    return p ? new Table(this.v, p + this.v.getUint32(p, true)) : null;
  }
  tables(slot: number): Table[] {
    const r = this.vec(slot);
    if (!r) return [];
    return Array.from({ length: r[1] }, (_, i) => {
      const p = r[0] + 4 * i;
      return new Table(this.v, p + this.v.getUint32(p, true));
    });
  }
}

export interface ParsedTflite {
  identifier: string;
  version: number;
  description: string;
  opNames: string[];
  tensors: { name: string; shape: number[]; type: number; buffer: number; scale: number[]; zeroPoint: number[]; qdim: number }[];
  buffers: Uint8Array[];
  operators: { opcode: number; inputs: number[]; outputs: number[]; options: Table | null }[];
  inputs: number[];
  outputs: number[];
}

const OP_NAMES: Record<number, string> = {
  0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D', 6: 'DEQUANTIZE', 9: 'FULLY_CONNECTED', 14: 'LOGISTIC',
  17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 21: 'RELU6', 22: 'RESHAPE', 25: 'SOFTMAX', 28: 'TANH', 34: 'PAD', 40: 'MEAN', 41: 'SUB', 45: 'STRIDED_SLICE',
};

export function parseTflite(file: Uint8Array): ParsedTflite {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const model = new Table(v, v.getUint32(0, true));
  const codes = model.tables(1).map((c) => Math.max(c.byte(0), c.int(3)));
  const sg = model.tables(2)[0];
  return {
    identifier: new TextDecoder().decode(file.subarray(4, 8)),
    version: model.int(0),
    description: model.string(3),
    opNames: codes.map((c) => OP_NAMES[c] ?? `op${c}`),
    tensors: sg.tables(0).map((t) => {
      const q = t.table(4);
      return { name: t.string(3), shape: t.ints(0), type: t.byte(1), buffer: t.int(2), scale: q?.floats(2) ?? [], zeroPoint: q?.longs(3) ?? [], qdim: q?.int(6) ?? 0 };
    }),
    buffers: model.tables(4).map((b) => b.bytes(0)),
    operators: sg.tables(3).map((o) => ({ opcode: o.int(0), inputs: o.ints(1), outputs: o.ints(2), options: o.table(4) })),
    inputs: sg.ints(1),
    outputs: sg.ints(2),
  };
}

function constant(m: ParsedTflite, i: number): tf.Tensor {
  const t = m.tensors[i];
  const raw = m.buffers[t.buffer];
  const copy = raw.slice();
  if (t.type === 0) return tf.tensor(new Float32Array(copy.buffer), t.shape, 'float32');
  if (t.type === 2) return tf.tensor(new Int32Array(copy.buffer), t.shape, 'int32');
  if (t.type === 9) return tf.tensor(Float32Array.from(new Int8Array(copy.buffer)), t.shape, 'float32');
  throw new Error(`reference interpreter: tensor type ${t.type} of ${t.name} not supported`);
}

function fused(x: tf.Tensor, code: number): tf.Tensor {
  if (code === 1) return tf.relu(x);
  if (code === 3) return tf.relu6(x);
  if (code !== 0) throw new Error(`reference interpreter: fused activation ${code}`);
  return x;
}

/** Runs the model on one NHWC float input; returns the first output's values. */
export function runTflite(m: ParsedTflite, input: Float32Array): Float32Array {
  return tf.tidy(() => {
    const vals = new Map<number, tf.Tensor>();
    const get = (i: number) => vals.get(i) ?? (m.tensors[i].buffer ? constant(m, i) : undefined) ?? (() => { throw new Error(`tensor ${i} (${m.tensors[i].name}) has no value`); })();
    vals.set(m.inputs[0], tf.tensor(input, m.tensors[m.inputs[0]].shape));
    for (const op of m.operators) {
      const name = m.opNames[op.opcode];
      const o = op.options;
      const x = () => get(op.inputs[0]);
      let y: tf.Tensor;
      const pad = (p: number) => (p === 0 ? 'same' : 'valid');
      switch (name) {
        case 'CONV_2D': {
          const w = get(op.inputs[1]).transpose([1, 2, 3, 0]) as tf.Tensor4D;
          y = tf.conv2d(x() as tf.Tensor4D, w, [o!.int(2), o!.int(1)], pad(o!.byte(0)), 'NHWC', [o!.int(5, 1), o!.int(4, 1)]);
          if (op.inputs[2] >= 0) y = y.add(get(op.inputs[2]));
          y = fused(y, o!.byte(3));
          break;
        }
        case 'DEPTHWISE_CONV_2D': {
          const f = get(op.inputs[1]);
          const mult = o!.int(3);
          const [, h, w, cm] = f.shape;
          const k = f.reshape([h, w, cm / mult, mult]) as tf.Tensor4D;
          y = tf.depthwiseConv2d(x() as tf.Tensor4D, k, [o!.int(2), o!.int(1)], pad(o!.byte(0)), 'NHWC', [o!.int(6, 1), o!.int(5, 1)]);
          if (op.inputs[2] >= 0) y = y.add(get(op.inputs[2]));
          y = fused(y, o!.byte(4));
          break;
        }
        case 'DEQUANTIZE': {
          const t = m.tensors[op.inputs[0]];
          const q = get(op.inputs[0]);
          const bshape = t.shape.map((d, i) => (t.scale.length > 1 && i === t.qdim ? d : 1));
          y = q.sub(tf.tensor(t.zeroPoint.length > 1 ? t.zeroPoint : [t.zeroPoint[0] ?? 0]).reshape(bshape)).mul(tf.tensor(t.scale).reshape(bshape));
          break;
        }
        case 'FULLY_CONNECTED':
          y = tf.matMul(x().reshape([-1, get(op.inputs[1]).shape[1] as number]) as tf.Tensor2D, get(op.inputs[1]) as tf.Tensor2D, false, true);
          if (op.inputs[2] >= 0) y = y.add(get(op.inputs[2]));
          y = fused(y, o!.byte(0));
          break;
        case 'ADD':
          y = fused(tf.add(x(), get(op.inputs[1])), o?.byte(0) ?? 0);
          break;
        case 'SUB':
          y = fused(tf.sub(x(), get(op.inputs[1])), o?.byte(0) ?? 0);
          break;
        case 'MUL':
          y = fused(tf.mul(x(), get(op.inputs[1])), o?.byte(0) ?? 0);
          break;
        case 'RELU':
          y = tf.relu(x());
          break;
        case 'RELU6':
          y = tf.relu6(x());
          break;
        case 'LOGISTIC':
          y = tf.sigmoid(x());
          break;
        case 'TANH':
          y = tf.tanh(x());
          break;
        case 'SOFTMAX':
          y = tf.softmax(x().mul(o?.float(0, 1) ?? 1));
          break;
        case 'PAD': {
          const p = Array.from(get(op.inputs[1]).dataSync());
          y = tf.pad(x(), [[p[0], p[1]], [p[2], p[3]], [p[4], p[5]], [p[6], p[7]]]);
          break;
        }
        case 'MEAN':
          y = tf.mean(x(), Array.from(get(op.inputs[1]).dataSync()), o?.byte(0) === 1);
          break;
        case 'RESHAPE':
          y = x().reshape(Array.from(get(op.inputs[1]).dataSync()));
          break;
        case 'CONCATENATION':
          y = tf.concat(op.inputs.map(get), o!.int(0));
          break;
        case 'STRIDED_SLICE':
          y = tf.stridedSlice(x(), Array.from(get(op.inputs[1]).dataSync()), Array.from(get(op.inputs[2]).dataSync()), Array.from(get(op.inputs[3]).dataSync()));
          break;
        case 'AVERAGE_POOL_2D':
        case 'MAX_POOL_2D': {
          const f = name === 'MAX_POOL_2D' ? tf.maxPool : tf.avgPool;
          y = fused(f(x() as tf.Tensor4D, [o!.int(4), o!.int(3)], [o!.int(2), o!.int(1)], pad(o!.byte(0))), o!.byte(5));
          break;
        }
        default:
          throw new Error(`reference interpreter: op ${name} not implemented`);
      }
      const declared = m.tensors[op.outputs[0]].shape;
      if (declared.join() !== y.shape.join()) {
        throw new Error(`reference interpreter: ${name} -> ${m.tensors[op.outputs[0]].name} computed shape [${y.shape}], the file declares [${declared}]`);
      }
      vals.set(op.outputs[0], y);
    }
    return get(m.outputs[0]).dataSync() as Float32Array;
  }).slice();
}
