// SPDX-License-Identifier: MIT
// Serialises a plain TFLite graph (tensors, operators, constant buffers) into a .tflite
// flatbuffer with the `flatbuffers` builder, following schema.ts.
import * as flatbuffers from 'flatbuffers';
import { BuiltinOperator, BuiltinOptions, OptionFields, Slot, TFLITE_FILE_ID, TFLITE_SCHEMA_VERSION, type BuiltinOp, type OptionsKind } from './schema';

export interface TflQuant {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TflTensor {
  name: string;
  shape: number[];
  type: number;
  /** Constant data (little-endian bytes); absent for activations. */
  data?: Uint8Array;
  quant?: TflQuant;
}

export interface TflOperator {
  op: BuiltinOp;
  inputs: number[];
  outputs: number[];
  options?: { kind: OptionsKind; values: Record<string, number | boolean | number[]> };
  version?: number;
}

export interface TflGraph {
  tensors: TflTensor[];
  operators: TflOperator[];
  inputs: number[];
  outputs: number[];
  description: string;
  /** Extra metadata entries (name -> bytes), stored as buffers the way TFLite metadata is. */
  metadata?: Record<string, Uint8Array>;
}

function intVector(b: flatbuffers.Builder, values: number[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function floatVector(b: flatbuffers.Builder, values: number[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]);
  return b.endVector();
}

function longVector(b: flatbuffers.Builder, values: number[]): flatbuffers.Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i]));
  return b.endVector();
}

function offsetVector(b: flatbuffers.Builder, offs: flatbuffers.Offset[]): flatbuffers.Offset {
  b.startVector(4, offs.length, 4);
  for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i]);
  return b.endVector();
}

function bytesVector(b: flatbuffers.Builder, data: Uint8Array): flatbuffers.Offset {
  // force_align: 16 on Buffer.data, so constant tensors can be read in place.
  b.startVector(1, data.length, 16);
  for (let i = data.length - 1; i >= 0; i--) b.addInt8(data[i]);
  return b.endVector();
}

function options(b: flatbuffers.Builder, kind: OptionsKind, values: Record<string, number | boolean | number[]>): flatbuffers.Offset {
  const fields = OptionFields[kind];
  const vecs: Record<string, flatbuffers.Offset> = {};
  for (const [name, [, type]] of Object.entries(fields)) if (type === 'intvec' && Array.isArray(values[name])) vecs[name] = intVector(b, values[name] as number[]);
  b.startObject(Object.keys(fields).length ? Math.max(...Object.values(fields).map(([s]) => s)) + 1 : 0);
  for (const [name, [slot, type]] of Object.entries(fields)) {
    const v = values[name];
    if (v === undefined) continue;
    // Defaults are written too (force), so readers that ignore schema defaults see the value.
    if (type === 'byte' || type === 'bool') b.addFieldInt8(slot, Number(v), -1);
    else if (type === 'int') b.addFieldInt32(slot, Number(v), -1);
    else if (type === 'float') b.addFieldFloat32(slot, Number(v), -1);
    else if (type === 'intvec') b.addFieldOffset(slot, vecs[name], 0);
  }
  return b.endObject();
}

/** The .tflite bytes of `g`. Buffer 0 is the empty sentinel the schema requires. */
export function writeTflite(g: TflGraph): Uint8Array {
  const b = new flatbuffers.Builder(1 << 20);
  const S = Slot;
  // Buffers first (largest), then everything that points at them.
  const bufferData: Uint8Array[] = [new Uint8Array(0)];
  const tensorBuffer = g.tensors.map((t) => {
    if (!t.data) return 0;
    bufferData.push(t.data);
    return bufferData.length - 1;
  });
  const metaEntries = Object.entries(g.metadata ?? {}).sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0));
  const metaBuffer = metaEntries.map(([, data]) => {
    bufferData.push(data);
    return bufferData.length - 1;
  });
  const buffers = bufferData.map((d) => {
    const data = d.length ? bytesVector(b, d) : 0;
    b.startObject(1);
    if (data) b.addFieldOffset(S.Buffer.data, data, 0);
    return b.endObject();
  });

  const tensors = g.tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = intVector(b, t.shape);
    let quant = 0;
    if (t.quant) {
      const scale = floatVector(b, t.quant.scale);
      const zp = longVector(b, t.quant.zeroPoint);
      b.startObject(7);
      b.addFieldOffset(S.QuantizationParameters.scale, scale, 0);
      b.addFieldOffset(S.QuantizationParameters.zero_point, zp, 0);
      b.addFieldInt32(S.QuantizationParameters.quantized_dimension, t.quant.quantizedDimension, -1);
      quant = b.endObject();
    }
    b.startObject(6);
    b.addFieldOffset(S.Tensor.shape, shape, 0);
    b.addFieldInt8(S.Tensor.type, t.type, -1);
    b.addFieldInt32(S.Tensor.buffer, tensorBuffer[i], -1);
    b.addFieldOffset(S.Tensor.name, name, 0);
    if (quant) b.addFieldOffset(S.Tensor.quantization, quant, 0);
    return b.endObject();
  });

  const opsUsed: { op: BuiltinOp; version: number }[] = [];
  const opIndex = (op: BuiltinOp, version: number) => {
    let k = opsUsed.findIndex((o) => o.op === op && o.version === version);
    if (k < 0) k = opsUsed.push({ op, version }) - 1;
    return k;
  };
  const operators = g.operators.map((o) => {
    const idx = opIndex(o.op, o.version ?? 1);
    const inputs = intVector(b, o.inputs);
    const outputs = intVector(b, o.outputs);
    const opts = o.options ? options(b, o.options.kind, o.options.values) : 0;
    b.startObject(5);
    b.addFieldInt32(S.Operator.opcode_index, idx, -1);
    b.addFieldOffset(S.Operator.inputs, inputs, 0);
    b.addFieldOffset(S.Operator.outputs, outputs, 0);
    if (o.options) {
      b.addFieldInt8(S.Operator.builtin_options_type, BuiltinOptions[o.options.kind], -1);
      b.addFieldOffset(S.Operator.builtin_options, opts, 0);
    }
    return b.endObject();
  });
  const opCodes = opsUsed.map(({ op, version }) => {
    const code = BuiltinOperator[op];
    b.startObject(4);
    // Schema 3.3+ reads builtin_code (int32); older readers the byte field: write both.
    b.addFieldInt8(S.OperatorCode.deprecated_builtin_code, Math.min(code, 127), -1);
    b.addFieldInt32(S.OperatorCode.version, version, -1);
    b.addFieldInt32(S.OperatorCode.builtin_code, code, -1);
    return b.endObject();
  });

  const sgName = b.createString('main');
  const sgTensors = offsetVector(b, tensors);
  const sgInputs = intVector(b, g.inputs);
  const sgOutputs = intVector(b, g.outputs);
  const sgOps = offsetVector(b, operators);
  b.startObject(5);
  b.addFieldOffset(S.SubGraph.tensors, sgTensors, 0);
  b.addFieldOffset(S.SubGraph.inputs, sgInputs, 0);
  b.addFieldOffset(S.SubGraph.outputs, sgOutputs, 0);
  b.addFieldOffset(S.SubGraph.operators, sgOps, 0);
  b.addFieldOffset(S.SubGraph.name, sgName, 0);
  const subgraph = b.endObject();

  const metadata = metaEntries.map(([name], i) => {
    const n = b.createString(name);
    b.startObject(2);
    b.addFieldOffset(S.Metadata.name, n, 0);
    b.addFieldInt32(S.Metadata.buffer, metaBuffer[i], -1);
    return b.endObject();
  });
  const desc = b.createString(g.description);
  const codes = offsetVector(b, opCodes);
  const sgs = offsetVector(b, [subgraph]);
  const bufs = offsetVector(b, buffers);
  const meta = metadata.length ? offsetVector(b, metadata) : 0;
  b.startObject(7);
  b.addFieldInt32(S.Model.version, TFLITE_SCHEMA_VERSION, -1);
  b.addFieldOffset(S.Model.operator_codes, codes, 0);
  b.addFieldOffset(S.Model.subgraphs, sgs, 0);
  b.addFieldOffset(S.Model.description, desc, 0);
  b.addFieldOffset(S.Model.buffers, bufs, 0);
  if (meta) b.addFieldOffset(S.Model.metadata, meta, 0);
  const model = b.endObject();
  b.finish(model, TFLITE_FILE_ID);
  return b.asUint8Array().slice();
}
