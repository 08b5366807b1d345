// SPDX-License-Identifier: MIT
// Keras (tfjs) model -> TFLite graph, layer by layer, for the mobile zoo (MobileNet, MobileNetV2,
// EfficientNetB0, NASNetMobile) with our classifier head. BatchNormalization after a convolution is
// folded into it; ReLU/ReLU6 on a convolution is fused. Kernels go to TFLite layouts: CONV_2D
// [out, h, w, in], DEPTHWISE_CONV_2D [1, h, w, in*mult], FULLY_CONNECTED [out, in]. With int8,
// kernels are stored as per-channel symmetric int8 and expanded by DEQUANTIZE at load time.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { Activation, Padding, TensorType, type BuiltinOp } from './schema';
import type { TflGraph, TflOperator, TflTensor } from './writer';

export interface TfliteOptions {
  int8?: boolean;
  description?: string;
  metadata?: Record<string, Uint8Array>;
}

interface W {
  shape: number[];
  data: Float32Array;
}

const SUPPORTED = [
  'InputLayer', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'BatchNormalization', 'ReLU', 'Activation', 'ZeroPadding2D', 'Cropping2D', 'Add', 'Multiply',
  'Concatenate', 'GlobalAveragePooling2D', 'AveragePooling2D', 'MaxPooling2D', 'Dropout', 'Dense', 'Rescaling', 'Normalization', 'Reshape',
];

function bytes(a: Float32Array | Int32Array | Int8Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function weightsOf(layer: tf.layers.Layer): Map<string, W> {
  const values = layer.getWeights();
  const m = new Map<string, W>();
  layer.weights.forEach((w, i) => {
    const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
    m.set(short, { shape: [...values[i].shape], data: Float32Array.from(values[i].dataSync() as Float32Array) });
  });
  return m;
}

function need(ws: Map<string, W>, name: string, layer: tf.layers.Layer): W {
  const w = ws.get(name);
  if (!w) throw new AppError('INTERNAL', `Layer ${layer.name} has no weight ${name}.`);
  return w;
}

/** The layer's config with Keras's snake_case keys (tfjs's getConfig uses camelCase). */
function cfg(layer: tf.layers.Layer): Record<string, unknown> {
  const c = layer.getConfig() as Record<string, unknown>;
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`), v]));
}

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : [Number(v), Number(v)];
}

/** [h, w, in, out] -> [out, h, w, in] */
function convKernel(k: W): { shape: number[]; data: Float32Array } {
  const [h, w, ci, co] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * h + y) * w + x) * ci + i] = k.data[((y * w + x) * ci + i) * co + o];
  return { shape: [co, h, w, ci], data: out };
}

/** Per-channel symmetric int8 along `axis`. */
function quantize(data: Float32Array, shape: number[], axis: number): { q: Int8Array; scale: number[] } {
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

class Emitter {
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

function shapeOf(t: tf.SymbolicTensor): number[] {
  return t.shape.map((d) => (d === null ? 1 : d));
}

function activationName(layer: tf.layers.Layer): string {
  const c = cfg(layer);
  if (layer.getClassName() === 'ReLU') {
    if (c.threshold || c.negative_slope) throw new AppError('UNSUPPORTED', `TFLite export: ReLU ${layer.name} has a threshold or negative slope; only ReLU and ReLU6 are supported.`);
    return c.max_value === 6 ? 'relu6' : c.max_value == null ? 'relu' : 'unsupported';
  }
  return String(c.activation ?? 'linear');
}

/**
 * Converts a flat functional model (one input, one output, every layer called once).
 * @throws AppError UNSUPPORTED naming the first layer TFLite export cannot map.
 */
export function kerasToTflite(model: tf.LayersModel, opts: TfliteOptions = {}): TflGraph {
  const e = new Emitter(opts.int8 ?? false);
  const ids = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  const inboundOf = (l: tf.layers.Layer) => (l as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[]; inputTensors: tf.SymbolicTensor[] }[] }).inboundNodes[0];
  for (const l of model.layers) for (const src of inboundOf(l)?.inboundLayers ?? []) consumers.set(src.name, [...(consumers.get(src.name) ?? []), l.name]);
  const folded = new Set<string>();
  const key = (t: tf.SymbolicTensor) => `${t.sourceLayer.name}:${t.nodeIndex}:${t.tensorIndex}`;

  /** Emits an activation as its own op(s) on `x`; returns the result tensor. */
  const act = (name: string, a: string, x: number, shape: number[]): number => {
    if (a === 'linear') return x;
    const y = e.tensor(name, shape);
    if (a === 'relu') e.op('RELU', [x], [y]);
    else if (a === 'relu6') e.op('RELU6', [x], [y]);
    else if (a === 'sigmoid') e.op('LOGISTIC', [x], [y]);
    else if (a === 'softmax') e.op('SOFTMAX', [x], [y], { kind: 'SoftmaxOptions', values: { beta: 1 } });
    else if (a === 'swish' || a === 'silu') {
      const s = e.tensor(`${name}_sigmoid`, shape);
      e.op('LOGISTIC', [x], [s]);
      e.op('MUL', [x, s], [y], { kind: 'MulOptions', values: { fused_activation_function: Activation.NONE } });
    } else throw new AppError('UNSUPPORTED', `TFLite export: activation '${a}' in ${name} is not supported (relu, relu6, sigmoid, swish, softmax, linear).`);
    return y;
  };

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const node = inboundOf(layer);
    const out = layer.output as tf.SymbolicTensor;
    const outShape = shapeOf(out);
    if (cls === 'InputLayer') {
      ids.set(key(out), e.tensor(layer.name, outShape));
      continue;
    }
    if (!SUPPORTED.includes(cls)) {
      throw new AppError('UNSUPPORTED', `TFLite export: layer ${layer.name} (${cls}) has no TFLite mapping. Supported: ${SUPPORTED.join(', ')}. Export ONNX or TF.js for this model instead.`, { layer: layer.name, className: cls });
    }
    const ins = node.inputTensors.map((t) => {
      const id = ids.get(key(t));
      if (id === undefined) throw new AppError('INTERNAL', `TFLite export: input of ${layer.name} was not emitted.`);
      return id;
    });
    const inShape = shapeOf(node.inputTensors[0]);
    if (folded.has(layer.name) || cls === 'Dropout') {
      ids.set(key(out), ins[0]);
      continue;
    }
    const c = cfg(layer);
    const ws = weightsOf(layer);
    let y: number;
    if (cls === 'Conv2D' || cls === 'DepthwiseConv2D' || cls === 'SeparableConv2D') {
      const [sh, sw] = pair(c.strides);
      const [dh, dw] = pair(c.dilation_rate ?? 1);
      const padding = c.padding === 'same' ? Padding.SAME : Padding.VALID;
      const depthwise = cls === 'DepthwiseConv2D';
      let k = need(ws, cls === 'SeparableConv2D' ? 'pointwise_kernel' : depthwise ? 'depthwise_kernel' : 'kernel', layer);
      const outCh = depthwise ? k.shape[2] * k.shape[3] : k.shape[3];
      let bias = ws.get('bias')?.data ?? new Float32Array(outCh);
      k = { shape: k.shape, data: Float32Array.from(k.data) };
      // Fold a BatchNormalization that is this layer's only consumer.
      const next = consumers.get(layer.name) ?? [];
      const bnLayer = next.length === 1 ? model.getLayer(next[0]) : undefined;
      let fusedAct = activationName(layer);
      if (bnLayer && bnLayer.getClassName() === 'BatchNormalization' && fusedAct === 'linear') {
        const bw = weightsOf(bnLayer);
        const bc = cfg(bnLayer);
        const mean = need(bw, 'moving_mean', bnLayer).data;
        const variance = need(bw, 'moving_variance', bnLayer).data;
        const gamma = bw.get('gamma')?.data;
        const beta = bw.get('beta')?.data;
        const eps = Number(bc.epsilon ?? 1e-3);
        const scale = Float32Array.from(mean, (_, i) => (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps));
        for (let i = 0; i < k.data.length; i++) k.data[i] *= scale[i % outCh];
        bias = Float32Array.from(bias, (b, i) => (b - mean[i]) * scale[i] + (beta ? beta[i] : 0));
        folded.add(bnLayer.name);
        fusedAct = 'linear';
      }
      const fuse = fusedAct === 'relu' ? Activation.RELU : fusedAct === 'relu6' ? Activation.RELU6 : Activation.NONE;
      const rest = fuse === Activation.NONE ? fusedAct : 'linear';
      let x = ins[0];
      if (cls === 'SeparableConv2D') {
        const dk = need(ws, 'depthwise_kernel', layer);
        const [h, w, ci, m] = dk.shape;
        const dwT = e.kernel(`${layer.name}/depthwise_kernel`, [1, h, w, ci * m], dk.data, 3);
        const mid = e.tensor(`${layer.name}/depthwise`, [...outShape.slice(0, 3), ci * m]);
        e.op('DEPTHWISE_CONV_2D', [x, dwT, e.floats(`${layer.name}/depthwise_bias`, [ci * m], new Float32Array(ci * m))], [mid], {
          kind: 'DepthwiseConv2DOptions',
          values: { padding, stride_w: sw, stride_h: sh, depth_multiplier: m, fused_activation_function: Activation.NONE, dilation_w_factor: dw, dilation_h_factor: dh },
        }, dh > 1 || dw > 1 ? 2 : 1);
        x = mid;
        const pk = convKernel(k);
        y = e.tensor(bnLayer && folded.has(bnLayer.name) ? bnLayer.name : layer.name, outShape);
        e.op('CONV_2D', [x, e.kernel(`${layer.name}/kernel`, pk.shape, pk.data, 0), e.floats(`${layer.name}/bias`, [outCh], bias)], [y], {
          kind: 'Conv2DOptions', values: { padding: Padding.VALID, stride_w: 1, stride_h: 1, fused_activation_function: fuse, dilation_w_factor: 1, dilation_h_factor: 1 },
        });
      } else if (depthwise) {
        const [h, w, ci, m] = k.shape;
        y = e.tensor(bnLayer && folded.has(bnLayer.name) ? bnLayer.name : layer.name, outShape);
        e.op('DEPTHWISE_CONV_2D', [x, e.kernel(`${layer.name}/kernel`, [1, h, w, ci * m], k.data, 3), e.floats(`${layer.name}/bias`, [outCh], bias)], [y], {
          kind: 'DepthwiseConv2DOptions',
          values: { padding, stride_w: sw, stride_h: sh, depth_multiplier: m, fused_activation_function: fuse, dilation_w_factor: dw, dilation_h_factor: dh },
        }, dh > 1 || dw > 1 ? 2 : 1);
      } else {
        const kk = convKernel(k);
        y = e.tensor(bnLayer && folded.has(bnLayer.name) ? bnLayer.name : layer.name, outShape);
        e.op('CONV_2D', [x, e.kernel(`${layer.name}/kernel`, kk.shape, kk.data, 0), e.floats(`${layer.name}/bias`, [outCh], bias)], [y], {
          kind: 'Conv2DOptions', values: { padding, stride_w: sw, stride_h: sh, fused_activation_function: fuse, dilation_w_factor: dw, dilation_h_factor: dh },
        });
      }
      y = act(`${layer.name}_act`, rest, y, outShape);
      if (bnLayer && folded.has(bnLayer.name)) ids.set(key(bnLayer.output as tf.SymbolicTensor), y);
    } else if (cls === 'BatchNormalization') {
      const mean = need(ws, 'moving_mean', layer).data;
      const variance = need(ws, 'moving_variance', layer).data;
      const gamma = ws.get('gamma')?.data;
      const beta = ws.get('beta')?.data;
      const eps = Number(c.epsilon ?? 1e-3);
      const scale = Float32Array.from(mean, (_, i) => (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps));
      const shift = Float32Array.from(mean, (m, i) => (beta ? beta[i] : 0) - m * scale[i]);
      const mid = e.tensor(`${layer.name}_scaled`, outShape);
      e.op('MUL', [ins[0], e.floats(`${layer.name}/scale`, [scale.length], scale)], [mid], { kind: 'MulOptions', values: { fused_activation_function: Activation.NONE } });
      y = e.tensor(layer.name, outShape);
      e.op('ADD', [mid, e.floats(`${layer.name}/shift`, [shift.length], shift)], [y], { kind: 'AddOptions', values: { fused_activation_function: Activation.NONE } });
    } else if (cls === 'ReLU' || cls === 'Activation') {
      y = act(layer.name, activationName(layer), ins[0], outShape);
    } else if (cls === 'ZeroPadding2D') {
      const p = c.padding as [[number, number], [number, number]];
      y = e.tensor(layer.name, outShape);
      e.op('PAD', [ins[0], e.ints(`${layer.name}/paddings`, [4, 2], [0, 0, p[0][0], p[0][1], p[1][0], p[1][1], 0, 0])], [y], { kind: 'PadOptions', values: {} });
    } else if (cls === 'Cropping2D') {
      const cr = c.cropping as [[number, number], [number, number]];
      y = e.tensor(layer.name, outShape);
      const begin = [0, cr[0][0], cr[1][0], 0];
      const end = [inShape[0], inShape[1] - cr[0][1], inShape[2] - cr[1][1], inShape[3]];
      e.op('STRIDED_SLICE', [ins[0], e.ints(`${layer.name}/begin`, [4], begin), e.ints(`${layer.name}/end`, [4], end), e.ints(`${layer.name}/strides`, [4], [1, 1, 1, 1])], [y], {
        kind: 'StridedSliceOptions', values: { begin_mask: 0, end_mask: 0, ellipsis_mask: 0, new_axis_mask: 0, shrink_axis_mask: 0 },
      });
    } else if (cls === 'Add' || cls === 'Multiply') {
      let acc = ins[0];
      for (let i = 1; i < ins.length; i++) {
        const t = e.tensor(i === ins.length - 1 ? layer.name : `${layer.name}_${i}`, outShape);
        if (cls === 'Add') e.op('ADD', [acc, ins[i]], [t], { kind: 'AddOptions', values: { fused_activation_function: Activation.NONE } });
        else e.op('MUL', [acc, ins[i]], [t], { kind: 'MulOptions', values: { fused_activation_function: Activation.NONE } });
        acc = t;
      }
      y = acc;
    } else if (cls === 'Concatenate') {
      y = e.tensor(layer.name, outShape);
      const axis = Number(c.axis ?? -1);
      e.op('CONCATENATION', ins, [y], { kind: 'ConcatenationOptions', values: { axis: axis < 0 ? outShape.length + axis : axis, fused_activation_function: Activation.NONE } });
    } else if (cls === 'GlobalAveragePooling2D') {
      y = e.tensor(layer.name, outShape);
      e.op('MEAN', [ins[0], e.ints(`${layer.name}/axes`, [2], [1, 2])], [y], { kind: 'ReducerOptions', values: { keep_dims: c.keepdims === true } });
    } else if (cls === 'AveragePooling2D' || cls === 'MaxPooling2D') {
      const [ph, pw] = pair(c.pool_size);
      const [sh, sw] = pair(c.strides ?? c.pool_size);
      y = e.tensor(layer.name, outShape);
      e.op(cls === 'MaxPooling2D' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', [ins[0]], [y], {
        kind: 'Pool2DOptions',
        values: { padding: c.padding === 'same' ? Padding.SAME : Padding.VALID, stride_w: sw, stride_h: sh, filter_width: pw, filter_height: ph, fused_activation_function: Activation.NONE },
      });
    } else if (cls === 'Dense') {
      if (inShape.length !== 2) throw new AppError('UNSUPPORTED', `TFLite export: Dense ${layer.name} on a rank-${inShape.length} input; only [batch, features] is supported.`);
      const k = need(ws, 'kernel', layer);
      const [ci, co] = k.shape;
      const kt = new Float32Array(k.data.length);
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) kt[o * ci + i] = k.data[i * co + o];
      const a = activationName(layer);
      const fuse = a === 'relu' ? Activation.RELU : a === 'relu6' ? Activation.RELU6 : Activation.NONE;
      const fc = e.tensor(fuse === Activation.NONE && a !== 'linear' ? `${layer.name}_logits` : layer.name, outShape);
      e.op('FULLY_CONNECTED', [ins[0], e.kernel(`${layer.name}/kernel`, [co, ci], kt, 0), e.floats(`${layer.name}/bias`, [co], ws.get('bias')?.data ?? new Float32Array(co))], [fc], {
        kind: 'FullyConnectedOptions', values: { fused_activation_function: fuse, weights_format: 0, keep_num_dims: false },
      });
      y = fuse === Activation.NONE ? act(layer.name, a, fc, outShape) : fc;
    } else if (cls === 'Rescaling' || cls === 'Normalization') {
      const ch = outShape[outShape.length - 1];
      const vec = (v: unknown) => Float32Array.from({ length: ch }, (_, i) => (Array.isArray(v) ? Number(v[i]) : Number(v)));
      let scale: Float32Array;
      let offset: Float32Array;
      if (cls === 'Rescaling') {
        scale = vec(c.scale);
        offset = vec(c.offset ?? 0);
      } else {
        const mean = need(ws, 'mean', layer).data;
        const variance = need(ws, 'variance', layer).data;
        scale = Float32Array.from(variance, (v) => 1 / Math.max(Math.sqrt(v), 1e-7));
        offset = Float32Array.from(mean, (m, i) => -m * scale[i]);
      }
      const mid = e.tensor(`${layer.name}_scaled`, outShape);
      e.op('MUL', [ins[0], e.floats(`${layer.name}/scale`, [ch], scale)], [mid], { kind: 'MulOptions', values: { fused_activation_function: Activation.NONE } });
      y = e.tensor(layer.name, outShape);
      e.op('ADD', [mid, e.floats(`${layer.name}/offset`, [ch], offset)], [y], { kind: 'AddOptions', values: { fused_activation_function: Activation.NONE } });
    } else {
      // Reshape
      y = e.tensor(layer.name, outShape);
      e.op('RESHAPE', [ins[0], e.ints(`${layer.name}/shape`, [outShape.length], outShape)], [y], { kind: 'ReshapeOptions', values: { new_shape: outShape } });
    }
    ids.set(key(out), y);
  }
  const input = ids.get(key(model.inputs[0]));
  const output = ids.get(key(model.outputs[0]));
  if (input === undefined || output === undefined) throw new AppError('INTERNAL', 'TFLite export lost the model input or output.');
  return { tensors: e.tensors, operators: e.operators, inputs: [input], outputs: [output], description: opts.description ?? 'Transfer Studio', metadata: opts.metadata };
}
