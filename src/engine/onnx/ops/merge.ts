// SPDX-License-Identifier: MIT
// Merge layers. Every input is brought to one layout (NCHW for images unless all inputs are
// already in Keras layout); Concatenate's axis is remapped to that layout.
import { attr, axisIn, type Layout, valueOf } from '../graph-builder';
import { type LayerContext, type LayerMapper, num, unsupported } from './types';

function commonLayout(ctx: LayerContext): Layout {
  const rank = ctx.inputs[0].shape.length;
  if (ctx.inputs.some((v) => v.shape.length !== rank)) {
    throw unsupported(ctx, `inputs of different ranks (${ctx.inputs.map((v) => v.shape.length).join(', ')})`);
  }
  if (rank !== 4) return 'keras';
  return ctx.inputs.every((v) => v.names.keras && !v.names.nchw) ? 'keras' : 'nchw';
}

function elementwise(op: 'Add' | 'Mul' | 'Max' | 'Min', variadic?: 'Sum'): LayerMapper {
  return (ctx) => {
    const layout = commonLayout(ctx);
    const xs = ctx.inputs.map((v) => ctx.g.as(v, layout));
    let out: string;
    if (xs.length > 2 && (variadic || op === 'Max' || op === 'Min')) out = ctx.g.op(variadic ?? op, xs, ctx.name);
    else {
      out = xs[0];
      for (let i = 1; i < xs.length; i++) out = ctx.g.op(op, [out, xs[i]], i === xs.length - 1 ? ctx.name : `${ctx.name}_${i}`);
    }
    return [valueOf(ctx.outputShapes[0], layout, out)];
  };
}

const average: LayerMapper = (ctx) => {
  const layout = commonLayout(ctx);
  const xs = ctx.inputs.map((v) => ctx.g.as(v, layout));
  const sum = xs.length === 2 ? ctx.g.op('Add', xs, `${ctx.name}_sum`) : ctx.g.op('Sum', xs, `${ctx.name}_sum`);
  return [valueOf(ctx.outputShapes[0], layout, ctx.g.op('Mul', [sum, ctx.g.scalar(1 / xs.length)], ctx.name))];
};

const concatenate: LayerMapper = (ctx) => {
  const layout = commonLayout(ctx);
  const rank = ctx.inputs[0].shape.length;
  const axis = axisIn(layout, rank, num(ctx.config, 'axis', -1));
  const out = ctx.g.op('Concat', ctx.inputs.map((v) => ctx.g.as(v, layout)), ctx.name, { axis: attr.int(axis) });
  return [valueOf(ctx.outputShapes[0], layout, out)];
};

export const MERGE_MAPPERS: Record<string, LayerMapper> = {
  Add: elementwise('Add', 'Sum'),
  Multiply: elementwise('Mul'),
  Maximum: elementwise('Max'),
  Minimum: elementwise('Min'),
  Average: average,
  Concatenate: concatenate,
};
