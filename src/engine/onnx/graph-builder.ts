// SPDX-License-Identifier: MIT
// Collects ONNX nodes and initializers while the converter walks a Keras graph, and keeps track
// of each Keras tensor's layout. Keras feeds NHWC; ONNX convolutions want NCHW. A 4-D value can
// exist in either layout and is transposed lazily, once, when an op first asks for the other one,
// so a chain of convolutions stays in NCHW and Transposes appear only at the edges.
import type { AttrValue, OnnxNode, OnnxTensor } from './proto';

/** 'keras' is the tensor exactly as Keras shapes it (NHWC for images); 'nchw' only exists for rank 4. */
export type Layout = 'keras' | 'nchw';

/** The Keras shape of a value, batch first; `null` for unknown sizes. */
export type Shape = (number | null)[];

/**
 * A convolution whose output may absorb a following BatchNormalization: its weight is laid out
 * [out, in/group, kh, kw] (ONNX order) so per-output-channel scaling is a stride walk.
 */
export interface FoldTarget {
  node: OnnxNode;
  weight: string;
  outChannels: number;
}

/** One Keras tensor as it exists in the ONNX graph. */
export interface Value {
  shape: Shape;
  names: Partial<Record<Layout, string>>;
  fold?: FoldTarget;
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

export const attr = {
  int: (value: number): AttrValue => ({ kind: 'int', value }),
  float: (value: number): AttrValue => ({ kind: 'float', value }),
  ints: (value: number[]): AttrValue => ({ kind: 'ints', value }),
  floats: (value: number[]): AttrValue => ({ kind: 'floats', value }),
  string: (value: string): AttrValue => ({ kind: 'string', value }),
};

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers = new Map<string, OnnxTensor>();
  private readonly used = new Set<string>();
  private readonly int64Cache = new Map<string, string>();
  private readonly floatCache = new Map<number, string>();

  /** A fresh value name based on `base` (Keras layer names are unique, helpers add suffixes). */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Registers a name that is defined elsewhere (a graph input). */
  reserve(name: string): void {
    this.used.add(name);
  }

  float(base: string, dims: number[], data: Float32Array): string {
    const name = this.unique(base);
    this.initializers.set(name, { name, dims, data });
    return name;
  }

  int64(values: number[]): string {
    const key = values.join(',');
    const hit = this.int64Cache.get(key);
    if (hit) return hit;
    const name = this.unique(`const_i64_${key.replace(/-/g, 'm').replace(/,/g, '_')}`);
    this.initializers.set(name, { name, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    this.int64Cache.set(key, name);
    return name;
  }

  /** A float32 scalar constant (shape []), shared between uses. */
  scalar(value: number): string {
    const hit = this.floatCache.get(value);
    if (hit) return hit;
    const name = this.unique(`const_f32_${this.floatCache.size}`);
    this.initializers.set(name, { name, dims: [], data: Float32Array.of(value) });
    this.floatCache.set(value, name);
    return name;
  }

  initializer(name: string): OnnxTensor | undefined {
    return this.initializers.get(name);
  }

  /** Adds a node with one output and returns its name. */
  op(opType: string, inputs: string[], base: string, attrs: Record<string, AttrValue> = {}): string {
    const out = this.unique(base);
    this.nodes.push({ opType, name: out, inputs, outputs: [out], attrs });
    return out;
  }

  /** The node that outputs `name`, if a node does (not a graph input or initializer). */
  producer(name: string): OnnxNode | undefined {
    for (let i = this.nodes.length - 1; i >= 0; i--) if (this.nodes[i].outputs.includes(name)) return this.nodes[i];
    return undefined;
  }

  /** Drops a node whose output nothing reads any more (a mapper absorbed it). */
  remove(node: OnnxNode): void {
    const i = this.nodes.indexOf(node);
    if (i >= 0) this.nodes.splice(i, 1);
  }

  /** The last node added; mappers use it to attach a fold target. */
  lastNode(): OnnxNode {
    return this.nodes[this.nodes.length - 1];
  }

  /** The ONNX name of `v` in `layout`, adding one Transpose the first time a layout is asked for. */
  as(v: Value, layout: Layout): string {
    const have = v.names[layout];
    if (have) return have;
    if (v.shape.length !== 4) {
      if (layout === 'nchw') throw new Error(`Internal: NCHW asked for a rank-${v.shape.length} value`);
      return v.names.keras as string;
    }
    const from = layout === 'nchw' ? v.names.keras : v.names.nchw;
    if (!from) throw new Error('Internal: value has no name in any layout');
    const name = this.op('Transpose', [from], `${from}_${layout}`, {
      perm: attr.ints(layout === 'nchw' ? TO_NCHW : TO_NHWC),
    });
    v.names[layout] = name;
    return name;
  }

  /** The layout ops that work in either layout should use: NCHW for rank 4 unless the value only exists as Keras. */
  preferred(v: Value): Layout {
    if (v.shape.length !== 4) return 'keras';
    return v.names.nchw || !v.names.keras ? 'nchw' : 'keras';
  }
}

/** A value that exists in one layout. */
export function valueOf(shape: Shape, layout: Layout, name: string, fold?: FoldTarget): Value {
  return { shape, names: { [layout]: name }, ...(fold ? { fold } : {}) };
}

/** Maps a Keras axis of a rank-r tensor to its position in `layout`. */
export function axisIn(layout: Layout, rank: number, kerasAxis: number): number {
  const a = kerasAxis < 0 ? kerasAxis + rank : kerasAxis;
  if (layout === 'keras' || rank !== 4) return a;
  return [0, 2, 3, 1][a];
}
