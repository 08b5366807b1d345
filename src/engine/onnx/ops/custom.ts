// SPDX-License-Identifier: MIT
// The zoo's own layers (src/engine/zoo/layers/): CustomScaleLayer and Keras's Normalization.
// Each mirrors the layer's `call` op for op so float32 results match TF.js.
import { valueOf } from '../graph-builder';
import { channelConst } from './normalization';
import { type LayerMapper, requireWeight, unsupported } from './types';

/** `shortcut + residual * scale` (InceptionResNetV2). */
const customScale: LayerMapper = (ctx) => {
  const scale = ctx.config.scale;
  if (typeof scale !== 'number') throw unsupported(ctx, `scale ${JSON.stringify(scale)}`);
  if (ctx.inputs.length !== 2) throw unsupported(ctx, `${ctx.inputs.length} inputs (expected [shortcut, residual])`);
  const g = ctx.g;
  const [x, r] = ctx.inputs;
  const layout = g.preferred(x);
  const scaled = g.op('Mul', [g.as(r, layout), g.scalar(scale)], `${ctx.name}_scaled`);
  return [valueOf(ctx.outputShapes[0], layout, g.op('Add', [g.as(x, layout), scaled], ctx.name))];
};

// Keras divides by max(sqrt(variance), backend.epsilon()), epsilon() = 1e-7.
const KERAS_EPSILON = 1e-7;

/** (x - mean) / max(sqrt(variance), 1e-7) along the channel axis. */
const normalization: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  const rank = v.shape.length;
  const axis = typeof ctx.config.axis === 'number' ? ctx.config.axis : -1;
  if ((axis < 0 ? axis + rank : axis) !== rank - 1) throw unsupported(ctx, `axis ${axis} (only the channel axis, -1, is supported)`);
  const mean = requireWeight(ctx, 'mean').data;
  const variance = requireWeight(ctx, 'variance').data;
  const std = Float32Array.from(variance, (x) => Math.max(Math.sqrt(x), KERAS_EPSILON));
  const g = ctx.g;
  const layout = g.preferred(v);
  const centred = g.op('Sub', [g.as(v, layout), channelConst(g, `${ctx.name}_mean`, mean, rank, layout)], `${ctx.name}_centred`);
  const out = g.op('Div', [centred, channelConst(g, `${ctx.name}_std`, std, rank, layout)], ctx.name);
  return [valueOf(v.shape, layout, out)];
};

export const CUSTOM_MAPPERS: Record<string, LayerMapper> = {
  CustomScaleLayer: customScale,
  Normalization: normalization,
};
