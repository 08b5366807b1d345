// SPDX-License-Identifier: MIT
// Max/average pooling and their global forms. Keras 'same' average pooling divides by the number
// of real (unpadded) pixels, which is ONNX's count_include_pad = 0.
import { attr, type Shape, valueOf } from '../graph-builder';
import type { AttrValue } from '../proto';
import { spatialPadding } from './conv';
import { type LayerContext, type LayerMapper, pair, unsupported } from './types';

interface ZeroPad {
  input: string;
  begin: [number, number];
  end: [number, number];
}

/**
 * A ZeroPadding2D that only this pool reads. ONNX Runtime's PadFusion would fold it into the
 * pool's pads, which for pools mean -inf (max) or "not counted" (average), not zero: wrong for
 * ResNetV2's stem, where a window can hold only negatives. So the pool absorbs the Pad itself and
 * corrects the padded windows exactly (see `emitPool`).
 */
function zeroPadInput(ctx: LayerContext, x: string): ZeroPad | undefined {
  const g = ctx.g;
  const pad = g.producer(x);
  if (!pad || pad.opType !== 'Pad' || pad.inputs.length !== 2 || !ctx.soleConsumer[0]) return undefined;
  const pads = g.initializer(pad.inputs[1])?.data;
  if (!(pads instanceof BigInt64Array) || pads.length !== 8) return undefined;
  const p = Array.from(pads, Number);
  if (p[0] || p[1] || p[4] || p[5] || p.some((v) => v < 0)) return undefined;
  g.remove(pad);
  return { input: pad.inputs[0], begin: [p[2], p[3]], end: [p[6], p[7]] };
}

/** Per output position: how many window cells are real pixels, and how many are real or zero-pad. */
function windowCounts(n: number, zb: number, ze: number, before: number, k: number, s: number, out: number) {
  const real: number[] = [];
  const valid: number[] = [];
  for (let i = 0; i < out; i++) {
    const lo = i * s - before;
    const hi = lo + k - 1;
    real.push(Math.max(0, Math.min(hi, n - 1) - Math.max(lo, 0) + 1));
    valid.push(Math.max(0, Math.min(hi, n + ze - 1) - Math.max(lo, -zb) + 1));
  }
  return { real, valid };
}

function emitPool(ctx: LayerContext, op: 'MaxPool' | 'AveragePool'): string {
  const c = ctx.config;
  const g = ctx.g;
  const size = pair(c, 'poolSize', [2, 2]);
  const strides = pair(c, 'strides', size);
  const v = ctx.inputs[0];
  const x = g.as(v, 'nchw');
  const own = spatialPadding(c.padding, v.shape, size, strides);
  const out = ctx.outputShapes[0];
  const zp = own.pads && out[1] !== null && out[2] !== null ? zeroPadInput(ctx, x) : undefined;
  const attrs: Record<string, AttrValue> = { kernel_shape: attr.ints(size), strides: attr.ints(strides) };
  if (op === 'AveragePool') attrs.count_include_pad = attr.int(0);
  if (!zp) return g.op(op, [x], ctx.name, { ...attrs, ...own });

  const p = (own.pads as { value: number[] }).value;
  const begin = [zp.begin[0] + p[0], zp.begin[1] + p[1]];
  const end = [zp.end[0] + p[2], zp.end[1] + p[3]];
  const pooled = g.op(op, [zp.input], `${ctx.name}_pool`, { ...attrs, pads: attr.ints([...begin, ...end]) });
  const [ho, wo] = [out[1] as number, out[2] as number];
  const realSize = [(v.shape[1] as number) - zp.begin[0] - zp.end[0], (v.shape[2] as number) - zp.begin[1] - zp.end[1]];
  const h = windowCounts(realSize[0], zp.begin[0], zp.end[0], begin[0], size[0], strides[0], ho);
  const w = windowCounts(realSize[1], zp.begin[1], zp.end[1], begin[1], size[1], strides[1], wo);
  const mask = new Float32Array(ho * wo);
  for (let i = 0; i < ho; i++) {
    for (let j = 0; j < wo; j++) {
      const real = h.real[i] * w.real[j];
      const valid = h.valid[i] * w.valid[j];
      // Max: a window that covers zero padding sees at least 0. Average: Keras counts the zeros.
      mask[i * wo + j] = op === 'MaxPool' ? (valid > real ? 0 : -Infinity) : real / valid;
    }
  }
  const m = g.float(`${ctx.name}_padmask`, [1, 1, ho, wo], mask);
  return g.op(op === 'MaxPool' ? 'Max' : 'Mul', [pooled, m], ctx.name);
}

function pool(op: 'MaxPool' | 'AveragePool'): LayerMapper {
  return (ctx) => {
    const c = ctx.config;
    if (c.dataFormat && c.dataFormat !== 'channelsLast') throw unsupported(ctx, `dataFormat ${String(c.dataFormat)}`);
    if (c.padding !== 'same' && c.padding !== 'valid') throw unsupported(ctx, `padding ${JSON.stringify(c.padding)}`);
    return [valueOf(ctx.outputShapes[0], 'nchw', emitPool(ctx, op))];
  };
}

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerMapper {
  return (ctx) => {
    const c = ctx.config;
    if (c.dataFormat && c.dataFormat !== 'channelsLast') throw unsupported(ctx, `dataFormat ${String(c.dataFormat)}`);
    const v = ctx.inputs[0];
    if (v.shape.length !== 4) throw unsupported(ctx, `a rank-${v.shape.length} input`);
    const shape: Shape = ctx.outputShapes[0];
    const keep = shape.length === 4;
    const pooled = ctx.g.op(op, [ctx.g.as(v, 'nchw')], keep ? ctx.name : `${ctx.name}_pool`);
    if (keep) return [valueOf(shape, 'nchw', pooled)];
    return [valueOf(shape, 'keras', ctx.g.op('Flatten', [pooled], ctx.name, { axis: attr.int(1) }))];
  };
}

export const POOLING_MAPPERS: Record<string, LayerMapper> = {
  MaxPooling2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  GlobalAveragePooling2D: globalPool('GlobalAveragePool'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool'),
};

