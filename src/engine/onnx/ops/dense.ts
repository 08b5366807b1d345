// SPDX-License-Identifier: MIT
// Dense: Gemm on [N, features]; on higher ranks Keras applies the kernel to the last axis, which
// is a MatMul in Keras layout.
import { valueOf } from '../graph-builder';
import { withActivation } from './activations';
import { type LayerMapper, requireWeight } from './types';

const dense: LayerMapper = (ctx) => {
  const g = ctx.g;
  const v = ctx.inputs[0];
  const k = requireWeight(ctx, 'kernel');
  const bias = ctx.weight('bias');
  const w = g.float(`${ctx.name}_W`, k.shape, k.data);
  const x = g.as(v, 'keras');
  let out: string;
  if (v.shape.length === 2) {
    const inputs = bias ? [x, w, g.float(`${ctx.name}_B`, bias.shape, bias.data)] : [x, w];
    out = g.op('Gemm', inputs, ctx.name);
  } else {
    out = g.op('MatMul', [x, w], bias ? `${ctx.name}_matmul` : ctx.name);
    if (bias) out = g.op('Add', [out, g.float(`${ctx.name}_B`, bias.shape, bias.data)], ctx.name);
  }
  return [withActivation(ctx, valueOf(ctx.outputShapes[0], 'keras', out), 'keras')];
};

export const DENSE_MAPPERS: Record<string, LayerMapper> = { Dense: dense };
