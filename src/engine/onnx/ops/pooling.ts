// SPDX-License-Identifier: MIT
// Max/average pooling and their global forms. Keras 'same' average pooling divides by the number
// of real (unpadded) pixels, which is ONNX's count_include_pad = 0.
import { attr, valueOf } from '../graph-builder';
import type { AttrValue } from '../proto';
import { spatialPadding } from './conv';
import { type LayerMapper, pair, unsupported } from './types';

function pool(op: 'MaxPool' | 'AveragePool'): LayerMapper {
  return (ctx) => {
    const c = ctx.config;
    if (c.dataFormat && c.dataFormat !== 'channelsLast') throw unsupported(ctx, `dataFormat ${String(c.dataFormat)}`);
    if (c.padding !== 'same' && c.padding !== 'valid') throw unsupported(ctx, `padding ${JSON.stringify(c.padding)}`);
    const size = pair(c, 'poolSize', [2, 2]);
    const strides = pair(c, 'strides', size);
    const v = ctx.inputs[0];
    const extra: Record<string, AttrValue> = op === 'AveragePool' ? { count_include_pad: attr.int(0) } : {};
    const out = ctx.g.op(op, [ctx.g.as(v, 'nchw')], ctx.name, {
      kernel_shape: attr.ints(size),
      strides: attr.ints(strides),
      ...spatialPadding(c.padding, v.shape, size, strides),
      ...extra,
    });
    return [valueOf(ctx.outputShapes[0], 'nchw', out)];
  };
}

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerMapper {
  return (ctx) => {
    const c = ctx.config;
    if (c.dataFormat && c.dataFormat !== 'channelsLast') throw unsupported(ctx, `dataFormat ${String(c.dataFormat)}`);
    const v = ctx.inputs[0];
    if (v.shape.length !== 4) throw unsupported(ctx, `a rank-${v.shape.length} input`);
    const shape = ctx.outputShapes[0];
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
