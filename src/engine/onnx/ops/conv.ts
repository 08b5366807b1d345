// SPDX-License-Identifier: MIT
// Conv2D, DepthwiseConv2D (a grouped Conv with one group per input channel) and SeparableConv2D
// (depthwise then a 1x1 Conv). Kernels move from Keras's HWIO to ONNX's OIHW. A convolution with a
// linear activation is left as a fold target so a following BatchNormalization can be absorbed.
import { attr, type GraphBuilder, type Shape, type Value, valueOf } from '../graph-builder';
import type { AttrValue } from '../proto';
import { isLinear, withActivation } from './activations';
import { type LayerContext, type LayerMapper, pair, requireWeight, unsupported } from './types';

/** Keras 'same' padding, spelled out: TF puts the odd pixel at the end (bottom/right). */
export function spatialPadding(
  padding: unknown,
  inShape: Shape,
  kernel: [number, number],
  strides: [number, number],
  dilations: [number, number] = [1, 1],
): Record<string, AttrValue> {
  if (padding === 'valid') return { pads: attr.ints([0, 0, 0, 0]) };
  if (padding !== 'same') throw new Error(`padding ${JSON.stringify(padding)}`);
  const size = [inShape[1], inShape[2]];
  if (size[0] === null || size[1] === null) return { auto_pad: attr.string('SAME_UPPER') };
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const n = size[i] as number;
    const out = Math.ceil(n / strides[i]);
    const total = Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - n, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return { pads: attr.ints([...begin, ...end]) };
}

function hwioToOihw(k: Float32Array, [kh, kw, ci, co]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = k[((y * kw + x) * ci + i) * co + o];
  return out;
}

/** Depthwise [kh, kw, c, m] to grouped-conv [c*m, 1, kh, kw]; TF orders output channel c*m + j. */
function depthwiseToOihw(k: Float32Array, [kh, kw, c, m]: number[]): Float32Array {
  const out = new Float32Array(k.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ch = 0; ch < c; ch++)
        for (let j = 0; j < m; j++) out[((ch * m + j) * kh + y) * kw + x] = k[((y * kw + x) * c + ch) * m + j];
  return out;
}

interface ConvSpec {
  x: string;
  weight: Float32Array;
  dims: number[]; // OIHW
  bias?: Float32Array;
  group: number;
  strides: [number, number];
  dilations: [number, number];
  pads: Record<string, AttrValue>;
  base: string;
}

function emitConv(g: GraphBuilder, s: ConvSpec): { out: string; weight: string } {
  const w = g.float(`${s.base}_W`, s.dims, s.weight);
  const inputs = [s.x, w];
  if (s.bias) inputs.push(g.float(`${s.base}_B`, [s.bias.length], s.bias));
  const out = g.op('Conv', inputs, s.base, {
    kernel_shape: attr.ints(s.dims.slice(2)),
    strides: attr.ints(s.strides),
    dilations: attr.ints(s.dilations),
    group: attr.int(s.group),
    ...s.pads,
  });
  return { out, weight: w };
}

function geometry(ctx: LayerContext) {
  const c = ctx.config;
  if (c.dataFormat && c.dataFormat !== 'channelsLast') throw unsupported(ctx, `dataFormat ${String(c.dataFormat)}`);
  const kernel = pair(c, 'kernelSize', [1, 1]);
  const strides = pair(c, 'strides', [1, 1]);
  const dilations = pair(c, 'dilationRate', [1, 1]);
  if (c.padding !== 'same' && c.padding !== 'valid') throw unsupported(ctx, `padding ${JSON.stringify(c.padding)}`);
  return { kernel, strides, dilations, pads: spatialPadding(c.padding, ctx.inputs[0].shape, kernel, strides, dilations) };
}

/** Wraps a finished conv: fold target if linear, else the activation applied. */
function finish(ctx: LayerContext, out: string, weight: string, outChannels: number): Value[] {
  const g = ctx.g;
  const shape = ctx.outputShapes[0];
  if (isLinear(ctx.config)) return [valueOf(shape, 'nchw', out, { node: g.lastNode(), weight, outChannels })];
  return [withActivation(ctx, valueOf(shape, 'nchw', out), 'nchw')];
}

const conv2d: LayerMapper = (ctx) => {
  const { strides, dilations, pads } = geometry(ctx);
  const k = requireWeight(ctx, 'kernel');
  const [kh, kw, ci, co] = k.shape;
  const inC = ctx.inputs[0].shape[3];
  const group = typeof inC === 'number' && inC !== ci ? inC / ci : 1;
  const { out, weight } = emitConv(ctx.g, {
    x: ctx.g.as(ctx.inputs[0], 'nchw'),
    weight: hwioToOihw(k.data, k.shape),
    dims: [co, ci, kh, kw],
    bias: ctx.weight('bias')?.data,
    group,
    strides,
    dilations,
    pads,
    base: ctx.name,
  });
  return finish(ctx, out, weight, co);
};

const depthwiseConv2d: LayerMapper = (ctx) => {
  const { strides, dilations, pads } = geometry(ctx);
  const k = requireWeight(ctx, 'depthwise_kernel');
  const [kh, kw, c, m] = k.shape;
  const { out, weight } = emitConv(ctx.g, {
    x: ctx.g.as(ctx.inputs[0], 'nchw'),
    weight: depthwiseToOihw(k.data, k.shape),
    dims: [c * m, 1, kh, kw],
    bias: ctx.weight('bias')?.data,
    group: c,
    strides,
    dilations,
    pads,
    base: ctx.name,
  });
  return finish(ctx, out, weight, c * m);
};

const separableConv2d: LayerMapper = (ctx) => {
  const { strides, dilations, pads } = geometry(ctx);
  const dk = requireWeight(ctx, 'depthwise_kernel');
  const pk = requireWeight(ctx, 'pointwise_kernel');
  const [kh, kw, c, m] = dk.shape;
  const co = pk.shape[3];
  const depthwise = emitConv(ctx.g, {
    x: ctx.g.as(ctx.inputs[0], 'nchw'),
    weight: depthwiseToOihw(dk.data, dk.shape),
    dims: [c * m, 1, kh, kw],
    group: c,
    strides,
    dilations,
    pads,
    base: `${ctx.name}_depthwise`,
  });
  const { out, weight } = emitConv(ctx.g, {
    x: depthwise.out,
    weight: hwioToOihw(pk.data, pk.shape),
    dims: [co, c * m, 1, 1],
    bias: ctx.weight('bias')?.data,
    group: 1,
    strides: [1, 1],
    dilations: [1, 1],
    pads: { pads: attr.ints([0, 0, 0, 0]) },
    base: ctx.name,
  });
  return finish(ctx, out, weight, co);
};

export const CONV_MAPPERS: Record<string, LayerMapper> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
};
