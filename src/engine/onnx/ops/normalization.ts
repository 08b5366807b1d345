// SPDX-License-Identifier: MIT
// BatchNormalization (folded into the preceding convolution when nothing else reads the conv's
// output, else an ONNX BatchNormalization or a per-channel Mul/Add), LayerNormalization and
// Rescaling. Folding happens in float64 and is exact up to float32 rounding of the new weights.
import { attr, axisIn, type GraphBuilder, type Layout, type Value, valueOf } from '../graph-builder';
import { num, type LayerContext, type LayerMapper, unsupported } from './types';

function channelAxis(ctx: LayerContext, rank: number): number {
  const a = ctx.config.axis;
  const axes = Array.isArray(a) ? a.map(Number) : [typeof a === 'number' ? a : -1];
  if (axes.length !== 1) throw unsupported(ctx, `normalisation over axes ${JSON.stringify(a)}`);
  const axis = axes[0] < 0 ? axes[0] + rank : axes[0];
  if (axis !== rank - 1) throw unsupported(ctx, `axis ${axes[0]} (only the channel axis, -1, is supported)`);
  return axis;
}

/** Per-channel scale and shift of y = x * scale + shift, in float64. */
function batchNormAffine(ctx: LayerContext, channels: number): { scale: Float64Array; shift: Float64Array } {
  const eps = num(ctx.config, 'epsilon', 1e-3);
  const gamma = ctx.weight('gamma')?.data;
  const beta = ctx.weight('beta')?.data;
  const mean = ctx.weight('moving_mean')?.data;
  const variance = ctx.weight('moving_variance')?.data;
  if (!mean || !variance) throw unsupported(ctx, 'no moving statistics');
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
    shift[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  return { scale, shift };
}

function tryFold(ctx: LayerContext, channels: number): Value | undefined {
  const v = ctx.inputs[0];
  const target = v.fold;
  if (!target || !ctx.soleConsumer[0] || target.outChannels !== channels || !v.names.nchw) return undefined;
  const g = ctx.g;
  const w = g.initializer(target.weight);
  if (!w || !(w.data instanceof Float32Array)) return undefined;
  const { scale, shift } = batchNormAffine(ctx, channels);
  const per = w.data.length / channels;
  for (let o = 0; o < channels; o++) for (let j = 0; j < per; j++) w.data[o * per + j] = w.data[o * per + j] * scale[o];
  const biasName = target.node.inputs[2];
  const old = biasName ? g.initializer(biasName)?.data : undefined;
  const bias = new Float32Array(channels);
  for (let o = 0; o < channels; o++) bias[o] = (old ? (old as Float32Array)[o] : 0) * scale[o] + shift[o];
  if (biasName && old) g.initializers.set(biasName, { name: biasName, dims: [channels], data: bias });
  else target.node.inputs[2] = g.float(`${target.node.name}_B`, [channels], bias);
  return valueOf(ctx.outputShapes[0], 'nchw', v.names.nchw);
}

/** A per-channel constant shaped to broadcast along the channel axis of a rank-`rank` value in `layout`. */
export function channelConst(g: GraphBuilder, base: string, values: Float32Array, rank: number, layout: Layout): string {
  const dims = new Array<number>(rank - 1).fill(1);
  dims[axisIn(layout, rank, -1) - 1] = values.length;
  return g.float(base, dims, values);
}

/** y = x * scale + shift with per-channel constants broadcast along the channel axis of `layout`. */
export function channelAffine(
  g: GraphBuilder,
  v: Value,
  layout: Layout,
  scale: Float64Array,
  shift: Float64Array,
  base: string,
): Value {
  const rank = v.shape.length;
  const s = channelConst(g, `${base}_scale`, Float32Array.from(scale), rank, layout);
  const b = channelConst(g, `${base}_shift`, Float32Array.from(shift), rank, layout);
  const mul = g.op('Mul', [g.as(v, layout), s], `${base}_mul`);
  return valueOf(v.shape, layout, g.op('Add', [mul, b], base));
}

const batchNorm: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  const rank = v.shape.length;
  channelAxis(ctx, rank);
  const channels = ctx.weight('moving_mean')?.shape[0];
  if (!channels) throw unsupported(ctx, 'no moving_mean weight');
  const folded = rank === 4 ? tryFold(ctx, channels) : undefined;
  if (folded) return [folded];
  if (rank === 4 || rank === 2) {
    const g = ctx.g;
    const get = (n: string, fill: number) => ctx.weight(n)?.data ?? new Float32Array(channels).fill(fill);
    const inputs = [
      g.as(v, rank === 4 ? 'nchw' : 'keras'),
      g.float(`${ctx.name}_gamma`, [channels], get('gamma', 1)),
      g.float(`${ctx.name}_beta`, [channels], get('beta', 0)),
      g.float(`${ctx.name}_mean`, [channels], get('moving_mean', 0)),
      g.float(`${ctx.name}_var`, [channels], get('moving_variance', 1)),
    ];
    const out = g.op('BatchNormalization', inputs, ctx.name, { epsilon: attr.float(num(ctx.config, 'epsilon', 1e-3)) });
    return [valueOf(v.shape, rank === 4 ? 'nchw' : 'keras', out)];
  }
  const { scale, shift } = batchNormAffine(ctx, channels);
  return [channelAffine(ctx.g, v, 'keras', scale, shift, ctx.name)];
};

const layerNorm: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  channelAxis(ctx, v.shape.length);
  const channels = v.shape[v.shape.length - 1];
  if (typeof channels !== 'number') throw unsupported(ctx, 'an unknown channel count');
  const g = ctx.g;
  const gamma = ctx.weight('gamma')?.data ?? new Float32Array(channels).fill(1);
  const beta = ctx.weight('beta')?.data ?? new Float32Array(channels);
  const out = g.op(
    'LayerNormalization',
    [g.as(v, 'keras'), g.float(`${ctx.name}_gamma`, [channels], gamma), g.float(`${ctx.name}_beta`, [channels], beta)],
    ctx.name,
    { axis: attr.int(-1), epsilon: attr.float(num(ctx.config, 'epsilon', 1e-3)) },
  );
  return [valueOf(v.shape, 'keras', out)];
};

/** Rescaling: x * scale + offset, each a number or one value per channel (zoo/layers/rescaling.ts). */
const rescaling: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  const g = ctx.g;
  const layout = g.preferred(v);
  const operand = (key: string, fallback: number): string | number => {
    const x = ctx.config[key] ?? fallback;
    if (typeof x === 'number') return x;
    if (Array.isArray(x) && x.every((e) => typeof e === 'number')) {
      if (x.length !== v.shape[v.shape.length - 1]) throw unsupported(ctx, `${key} of length ${x.length} for shape ${JSON.stringify(v.shape)}`);
      return channelConst(g, `${ctx.name}_${key}`, Float32Array.from(x as number[]), v.shape.length, layout);
    }
    throw unsupported(ctx, `${key} ${JSON.stringify(x)}`);
  };
  const scale = operand('scale', 1);
  const offset = operand('offset', 0);
  let out = g.as(v, layout);
  if (scale !== 1) out = g.op('Mul', [out, typeof scale === 'number' ? g.scalar(scale) : scale], offset === 0 ? ctx.name : `${ctx.name}_mul`);
  if (offset !== 0) out = g.op('Add', [out, typeof offset === 'number' ? g.scalar(offset) : offset], ctx.name);
  return [valueOf(v.shape, layout, out)];
};

export const NORMALIZATION_MAPPERS: Record<string, LayerMapper> = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Rescaling: rescaling,
};
