// SPDX-License-Identifier: MIT
// Per-channel affine layers as MUL then ADD: a BatchNormalization that was not folded into a
// convolution (inference form), Rescaling and Normalization.
import { Activation } from '../schema';
import { need, type TflContext, type TflMapper } from './types';

/** y = x * scale + offset along the last axis, named `<layer>_scaled` and `<layer>`. */
function affine(ctx: TflContext, scale: Float32Array, offset: Float32Array, offsetName: string): number {
  const { e, layer, outShape } = ctx;
  const mid = e.tensor(`${layer.name}_scaled`, outShape);
  e.op('MUL', [ctx.inputs[0], e.floats(`${layer.name}/scale`, [scale.length], scale)], [mid], { kind: 'MulOptions', values: { fused_activation_function: Activation.NONE } });
  const y = e.tensor(layer.name, outShape);
  e.op('ADD', [mid, e.floats(`${layer.name}/${offsetName}`, [offset.length], offset)], [y], { kind: 'AddOptions', values: { fused_activation_function: Activation.NONE } });
  return y;
}

const batchNorm: TflMapper = (ctx) => {
  const { weights: ws, layer } = ctx;
  const mean = need(ws, 'moving_mean', layer).data;
  const variance = need(ws, 'moving_variance', layer).data;
  const gamma = ws.get('gamma')?.data;
  const beta = ws.get('beta')?.data;
  const eps = Number(ctx.config.epsilon ?? 1e-3);
  const scale = Float32Array.from(mean, (_, i) => (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps));
  const shift = Float32Array.from(mean, (m, i) => (beta ? beta[i] : 0) - m * scale[i]);
  return affine(ctx, scale, shift, 'shift');
};

const rescaling: TflMapper = (ctx) => {
  const ch = ctx.outShape[ctx.outShape.length - 1];
  const vec = (v: unknown) => Float32Array.from({ length: ch }, (_, i) => (Array.isArray(v) ? Number(v[i]) : Number(v)));
  return affine(ctx, vec(ctx.config.scale), vec(ctx.config.offset ?? 0), 'offset');
};

const normalization: TflMapper = (ctx) => {
  const mean = need(ctx.weights, 'mean', ctx.layer).data;
  const variance = need(ctx.weights, 'variance', ctx.layer).data;
  const scale = Float32Array.from(variance, (v) => 1 / Math.max(Math.sqrt(v), 1e-7));
  const offset = Float32Array.from(mean, (m, i) => -m * scale[i]);
  return affine(ctx, scale, offset, 'offset');
};

export const NORMALIZATION_MAPPERS: Record<string, TflMapper> = { BatchNormalization: batchNorm, Rescaling: rescaling, Normalization: normalization };
