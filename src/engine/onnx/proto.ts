// SPDX-License-Identifier: MIT
// Serialises our in-memory graph to ONNX bytes with protobufjs and the ONNX schema in
// resources/onnx/ (parsed once, at run time, keeping the official snake_case field names).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { AppError } from '../../shared/errors';

/** ONNX opset we target: 17 has LayerNormalization and keeps ReduceMean's axes as an attribute. */
export const ONNX_OPSET = 17;
/** IR version that opset 17 requires (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

export const DATA_TYPE = { FLOAT: 1, INT64: 7 } as const;

export type AttrValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string };

export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: float32, with `null` for a dynamic dimension (named `dimParam`). */
export interface OnnxValueInfo {
  name: string;
  shape: (number | null)[];
}

export interface OnnxModel {
  graphName: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
}

const SCHEMA_FILE = ['resources', 'onnx', 'onnx-subset.proto'];
let root: protobuf.Root | undefined;

function schemaPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, ...SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new AppError(
        'NOT_FOUND',
        `Cannot find the ONNX schema ${SCHEMA_FILE.join('/')} above ${fileURLToPath(import.meta.url)}. Reinstall the app so resources/ is complete.`,
      );
    }
    dir = parent;
  }
}

function schema(): protobuf.Root {
  if (!root) root = protobuf.parse(readFileSync(schemaPath(), 'utf8'), { keepCase: true }).root;
  return root;
}

function attribute(name: string, a: AttrValue): Record<string, unknown> {
  const T = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 };
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: a.value };
    case 'floats':
      return { name, type: T.FLOATS, floats: a.value };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function tensor(t: OnnxTensor): Record<string, unknown> {
  const isFloat = t.data instanceof Float32Array;
  // raw_data must be little-endian; every platform Node ships on is.
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name: t.name, dims: t.dims, data_type: isFloat ? DATA_TYPE.FLOAT : DATA_TYPE.INT64, raw_data: raw };
}

function valueInfo(v: OnnxValueInfo): Record<string, unknown> {
  const dim = v.shape.map((d, i) => (d === null ? { dim_param: i === 0 ? 'N' : `d${i}` } : { dim_value: d }));
  return { name: v.name, type: { tensor_type: { elem_type: DATA_TYPE.FLOAT, shape: { dim } } } };
}

/** Encodes a model as ONNX protobuf bytes. */
export function encodeModel(m: OnnxModel): Uint8Array {
  const ModelProto = schema().lookupType('onnx.ModelProto');
  const obj = {
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'transfer-studio',
    producer_version: m.producerVersion,
    doc_string: m.docString ?? '',
    metadata_props: Object.entries(m.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: m.graphName,
      node: m.nodes.map((n) => ({
        name: n.name,
        op_type: n.opType,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, a]) => attribute(k, a)),
      })),
      initializer: m.initializers.map(tensor),
      input: m.inputs.map(valueInfo),
      output: m.outputs.map(valueInfo),
    },
  };
  const err = ModelProto.verify(obj);
  if (err) throw new AppError('INTERNAL', `The ONNX model we built does not fit the schema: ${err}`);
  return ModelProto.encode(ModelProto.fromObject(obj)).finish();
}

/** Decodes ONNX bytes into a plain object (snake_case fields, int64 as numbers); for checks and tests. */
export function decodeModel(bytes: Uint8Array): Record<string, unknown> {
  const ModelProto = schema().lookupType('onnx.ModelProto');
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: false }) as Record<string, unknown>;
}
