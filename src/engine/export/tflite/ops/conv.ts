// SPDX-License-Identifier: MIT
// Conv2D, DepthwiseConv2D, SeparableConv2D. Kernels go to TFLite layouts: CONV_2D [out, h, w, in],
// DEPTHWISE_CONV_2D [1, h, w, in*mult]; SeparableConv2D is a depthwise then a 1x1 CONV_2D. A
// BatchNormalization that alone reads the convolution is folded into its kernel and bias, and
// ReLU/ReLU6 is fused into the op.
import type * as tf from '@tensorflow/tfjs';
import { Activation, Padding } from '../schema';
import { activate, activationName, fusedCode } from './activations';
import { kerasConfig, need, pair, type TflMapper, type WeightData, weightsOf } from './types';

/** [h, w, in, out] -> [out, h, w, in] */
export function convKernel(k: WeightData): WeightData {
  const [h, w, ci, co] = k.shape;
  const out = new Float32Array(k.data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * h + y) * w + x) * ci + i] = k.data[((y * w + x) * ci + i) * co + o];
  return { shape: [co, h, w, ci], data: out };
}

/** Scales `k` (last axis = output channel) and shifts `bias` in place of BatchNormalization `bn`. */
function foldBatchNorm(bn: tf.layers.Layer, k: WeightData, bias: Float32Array, outCh: number): Float32Array {
  const bw = weightsOf(bn);
  const bc = kerasConfig(bn);
  const mean = need(bw, 'moving_mean', bn).data;
  const variance = need(bw, 'moving_variance', bn).data;
  const gamma = bw.get('gamma')?.data;
  const beta = bw.get('beta')?.data;
  const eps = Number(bc.epsilon ?? 1e-3);
  const scale = Float32Array.from(mean, (_, i) => (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps));
  for (let i = 0; i < k.data.length; i++) k.data[i] *= scale[i % outCh];
  return Float32Array.from(bias, (b, i) => (b - mean[i]) * scale[i] + (beta ? beta[i] : 0));
}

const conv: TflMapper = (ctx) => {
  const { e, layer, className: cls, config: c, weights: ws, outShape } = ctx;
  const [sh, sw] = pair(c.strides);
  const [dh, dw] = pair(c.dilation_rate ?? 1);
  const padding = c.padding === 'same' ? Padding.SAME : Padding.VALID;
  const depthwise = cls === 'DepthwiseConv2D';
  let k = need(ws, cls === 'SeparableConv2D' ? 'pointwise_kernel' : depthwise ? 'depthwise_kernel' : 'kernel', layer);
  const outCh = depthwise ? k.shape[2] * k.shape[3] : k.shape[3];
  let bias = ws.get('bias')?.data ?? new Float32Array(outCh);
  k = { shape: k.shape, data: Float32Array.from(k.data) };
  const next = ctx.soleConsumer();
  const fusedAct = activationName(layer);
  let bn: tf.layers.Layer | undefined;
  if (next && next.getClassName() === 'BatchNormalization' && fusedAct === 'linear') {
    bn = next;
    bias = foldBatchNorm(bn, k, bias, outCh);
  }
  const fuse = fusedCode(fusedAct);
  const rest = fuse === Activation.NONE ? fusedAct : 'linear';
  // With a folded BatchNormalization the op's output carries the batch norm's name.
  const outName = bn ? bn.name : layer.name;
  let y: number;
  if (cls === 'SeparableConv2D') {
    const dk = need(ws, 'depthwise_kernel', layer);
    const [h, w, ci, m] = dk.shape;
    const dwT = e.kernel(`${layer.name}/depthwise_kernel`, [1, h, w, ci * m], dk.data, 3);
    const mid = e.tensor(`${layer.name}/depthwise`, [...outShape.slice(0, 3), ci * m]);
    e.op('DEPTHWISE_CONV_2D', [ctx.inputs[0], dwT, e.floats(`${layer.name}/depthwise_bias`, [ci * m], new Float32Array(ci * m))], [mid], {
      kind: 'DepthwiseConv2DOptions',
      values: { padding, stride_w: sw, stride_h: sh, depth_multiplier: m, fused_activation_function: Activation.NONE, dilation_w_factor: dw, dilation_h_factor: dh },
    }, dh > 1 || dw > 1 ? 2 : 1);
    const pk = convKernel(k);
    y = e.tensor(outName, outShape);
    e.op('CONV_2D', [mid, e.kernel(`${layer.name}/kernel`, pk.shape, pk.data, 0), e.floats(`${layer.name}/bias`, [outCh], bias)], [y], {
      kind: 'Conv2DOptions', values: { padding: Padding.VALID, stride_w: 1, stride_h: 1, fused_activation_function: fuse, dilation_w_factor: 1, dilation_h_factor: 1 },
    });
  } else if (depthwise) {
    const [h, w, ci, m] = k.shape;
    y = e.tensor(outName, outShape);
    e.op('DEPTHWISE_CONV_2D', [ctx.inputs[0], e.kernel(`${layer.name}/kernel`, [1, h, w, ci * m], k.data, 3), e.floats(`${layer.name}/bias`, [outCh], bias)], [y], {
      kind: 'DepthwiseConv2DOptions',
      values: { padding, stride_w: sw, stride_h: sh, depth_multiplier: m, fused_activation_function: fuse, dilation_w_factor: dw, dilation_h_factor: dh },
    }, dh > 1 || dw > 1 ? 2 : 1);
  } else {
    const kk = convKernel(k);
    y = e.tensor(outName, outShape);
    e.op('CONV_2D', [ctx.inputs[0], e.kernel(`${layer.name}/kernel`, kk.shape, kk.data, 0), e.floats(`${layer.name}/bias`, [outCh], bias)], [y], {
      kind: 'Conv2DOptions', values: { padding, stride_w: sw, stride_h: sh, fused_activation_function: fuse, dilation_w_factor: dw, dilation_h_factor: dh },
    });
  }
  y = activate(e, `${layer.name}_act`, rest, y, outShape);
  if (bn) ctx.fold(bn, y);
  return y;
};

export const CONV_MAPPERS: Record<string, TflMapper> = { Conv2D: conv, DepthwiseConv2D: conv, SeparableConv2D: conv };
