// SPDX-License-Identifier: MIT
// Layers that move data without arithmetic: padding, cropping, flatten, reshape, permute, and the
// ones that are the identity at inference (dropout and noise).
import { attr, type Value, valueOf } from '../graph-builder';
import { type LayerContext, type LayerMapper, unsupported } from './types';

/** [[top, bottom], [left, right]] from tfjs's padding/cropping config (a number, a pair, or pairs). */
function sides(ctx: LayerContext, key: string): [[number, number], [number, number]] {
  const v = ctx.config[key];
  if (typeof v === 'number') return [[v, v], [v, v]];
  if (Array.isArray(v) && v.length === 2) {
    const [h, w] = v;
    const side = (s: unknown): [number, number] => (typeof s === 'number' ? [s, s] : [Number((s as number[])[0]), Number((s as number[])[1])]);
    return [side(h), side(w)];
  }
  throw unsupported(ctx, `${key} ${JSON.stringify(v)}`);
}

const zeroPadding2d: LayerMapper = (ctx) => {
  if (ctx.config.dataFormat && ctx.config.dataFormat !== 'channelsLast') throw unsupported(ctx, 'channelsFirst');
  const [[t, b], [l, r]] = sides(ctx, 'padding');
  const g = ctx.g;
  const out = g.op('Pad', [g.as(ctx.inputs[0], 'nchw'), g.int64([0, 0, t, l, 0, 0, b, r])], ctx.name, { mode: attr.string('constant') });
  return [valueOf(ctx.outputShapes[0], 'nchw', out)];
};

const cropping2d: LayerMapper = (ctx) => {
  if (ctx.config.dataFormat && ctx.config.dataFormat !== 'channelsLast') throw unsupported(ctx, 'channelsFirst');
  const [[t, b], [l, r]] = sides(ctx, 'cropping');
  const g = ctx.g;
  // Negative ends count from the far side, so unknown spatial sizes need no special case.
  const end = (n: number) => (n > 0 ? -n : Number.MAX_SAFE_INTEGER);
  const out = g.op('Slice', [g.as(ctx.inputs[0], 'nchw'), g.int64([t, l]), g.int64([end(b), end(r)]), g.int64([2, 3])], ctx.name);
  return [valueOf(ctx.outputShapes[0], 'nchw', out)];
};

/** Keras flattens in NHWC order, so the data goes back to Keras layout first. */
const flatten: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  if (v.shape.length === 2) return [v];
  const out = ctx.g.op('Flatten', [ctx.g.as(v, 'keras')], ctx.name, { axis: attr.int(1) });
  return [valueOf(ctx.outputShapes[0], 'keras', out)];
};

const reshape: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  const shape = ctx.outputShapes[0];
  const target = shape.slice(1).map((d) => (d === null ? -1 : d));
  if (target.filter((d) => d === -1).length > 1) throw unsupported(ctx, `more than one unknown size in ${JSON.stringify(shape)}`);
  const g = ctx.g;
  // [N, C] -> [N, 1, 1, C] (squeeze-excite) has the same bytes as NCHW [N, C, 1, 1]: no Transpose needed later.
  if (shape.length === 4 && shape[1] === 1 && shape[2] === 1) {
    return [valueOf(shape, 'nchw', g.op('Reshape', [g.as(v, 'keras'), g.int64([0, target[2], 1, 1])], ctx.name))];
  }
  return [valueOf(shape, 'keras', g.op('Reshape', [g.as(v, 'keras'), g.int64([0, ...target])], ctx.name))];
};

const permute: LayerMapper = (ctx) => {
  const dims = ctx.config.dims;
  if (!Array.isArray(dims)) throw unsupported(ctx, `dims ${JSON.stringify(dims)}`);
  const out = ctx.g.op('Transpose', [ctx.g.as(ctx.inputs[0], 'keras')], ctx.name, { perm: attr.ints([0, ...dims.map(Number)]) });
  return [valueOf(ctx.outputShapes[0], 'keras', out)];
};

// The names object is shared (a Transpose made for one is reused by the other); the fold target is
// not, since the conv's output now has another reader.
const identity: LayerMapper = (ctx) => ctx.inputs.map((v: Value) => ({ shape: v.shape, names: v.names }));

export const SHAPE_MAPPERS: Record<string, LayerMapper> = {
  ZeroPadding2D: zeroPadding2d,
  Cropping2D: cropping2d,
  Flatten: flatten,
  Reshape: reshape,
  Permute: permute,
  InputLayer: identity,
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  ActivityRegularization: identity,
};
