// SPDX-License-Identifier: MIT
// Keras activations (tfjs class names) and the activation layers. Constants match tfjs's kernels:
// hardSigmoid is clip(0.2x + 0.5, 0, 1) (ONNX HardSigmoid's defaults), selu uses the same
// alpha/gamma as ONNX Selu, swish is x * sigmoid(x).
import { AppError } from '../../../shared/errors';
import { attr, axisIn, type GraphBuilder, type Layout, type Value, valueOf } from '../graph-builder';
import { num, type LayerContext, type LayerMapper, unsupported } from './types';

type Emit = (g: GraphBuilder, x: string, base: string, channelAxis: number) => string;

const ACTIVATIONS: Record<string, Emit> = {
  linear: (_g, x) => x,
  relu: (g, x, b) => g.op('Relu', [x], b),
  relu6: (g, x, b) => g.op('Clip', [x, g.scalar(0), g.scalar(6)], b),
  sigmoid: (g, x, b) => g.op('Sigmoid', [x], b),
  tanh: (g, x, b) => g.op('Tanh', [x], b),
  elu: (g, x, b) => g.op('Elu', [x], b, { alpha: attr.float(1) }),
  selu: (g, x, b) => g.op('Selu', [x], b),
  softplus: (g, x, b) => g.op('Softplus', [x], b),
  softsign: (g, x, b) => g.op('Softsign', [x], b),
  hardSigmoid: (g, x, b) => g.op('HardSigmoid', [x], b, { alpha: attr.float(0.2), beta: attr.float(0.5) }),
  swish: (g, x, b) => g.op('Mul', [x, g.op('Sigmoid', [x], `${b}_sigmoid`)], b),
  mish: (g, x, b) => g.op('Mul', [x, g.op('Tanh', [g.op('Softplus', [x], `${b}_softplus`)], `${b}_tanh`)], b),
  gelu: (g, x, b) => {
    const erf = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)], `${b}_scaled`)], `${b}_erf`);
    const cdf = g.op('Mul', [g.scalar(0.5), g.op('Add', [erf, g.scalar(1)], `${b}_erf1`)], `${b}_cdf`);
    return g.op('Mul', [x, cdf], b);
  },
  softmax: (g, x, b, axis) => g.op('Softmax', [x], b, { axis: attr.int(axis) }),
  logSoftmax: (g, x, b, axis) => g.op('LogSoftmax', [x], b, { axis: attr.int(axis) }),
};

/** Keras and tfjs spell some activations differently; both resolve to the tfjs class name. */
const ALIASES: Record<string, string> = { hard_sigmoid: 'hardSigmoid', log_softmax: 'logSoftmax', silu: 'swish' };

export function activationName(config: Record<string, unknown>): string {
  const a = config.activation;
  if (a === undefined || a === null) return 'linear';
  if (typeof a === 'string') return ALIASES[a] ?? a;
  const cls = (a as { className?: string }).className;
  return ALIASES[cls ?? ''] ?? cls ?? String(a);
}

export function isLinear(config: Record<string, unknown>): boolean {
  return activationName(config) === 'linear';
}

/**
 * Applies a Keras activation to `x` (already in `layout`); channel-wise ones (softmax) use the
 * last Keras axis.
 */
export function emitActivation(
  g: GraphBuilder,
  activation: string,
  v: Value,
  layout: Layout,
  base: string,
  layerName: string,
): Value {
  const emit = ACTIVATIONS[ALIASES[activation] ?? activation];
  if (!emit) {
    throw new AppError('UNSUPPORTED', `ONNX export does not support activation "${activation}" (layer ${layerName}) yet. Supported: ${Object.keys(ACTIVATIONS).join(', ')}.`, {
      layer: layerName,
      activation,
    });
  }
  const x = g.as(v, layout);
  const out = emit(g, x, base, axisIn(layout, v.shape.length, -1));
  if (out === x) return v;
  return valueOf(v.shape, layout, out);
}

/** Runs the layer's `activation` config (if any) on a freshly computed value. */
export function withActivation(ctx: LayerContext, v: Value, layout: Layout): Value {
  return emitActivation(ctx.g, activationName(ctx.config), v, layout, `${ctx.name}_${activationName(ctx.config)}`, ctx.layer.name);
}

const activationLayer: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  return [emitActivation(ctx.g, activationName(ctx.config), v, ctx.g.preferred(v), ctx.name, ctx.layer.name)];
};

const reluLayer: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  const layout = ctx.g.preferred(v);
  const x = ctx.g.as(v, layout);
  const max = ctx.config.maxValue;
  const out =
    typeof max === 'number'
      ? ctx.g.op('Clip', [x, ctx.g.scalar(0), ctx.g.scalar(max)], ctx.name)
      : ctx.g.op('Relu', [x], ctx.name);
  return [valueOf(v.shape, layout, out)];
};

function simple(op: string, attrs: (ctx: LayerContext) => Record<string, ReturnType<typeof attr.float>>): LayerMapper {
  return (ctx) => {
    const v = ctx.inputs[0];
    const layout = ctx.g.preferred(v);
    return [valueOf(v.shape, layout, ctx.g.op(op, [ctx.g.as(v, layout)], ctx.name, attrs(ctx)))];
  };
}

const softmaxLayer: LayerMapper = (ctx) => {
  const v = ctx.inputs[0];
  const axis = ctx.config.axis;
  if (Array.isArray(axis) && axis.length !== 1) throw unsupported(ctx, `softmax over several axes (${JSON.stringify(axis)})`);
  const kerasAxis = Array.isArray(axis) ? Number(axis[0]) : num(ctx.config, 'axis', -1);
  const layout = ctx.g.preferred(v);
  const out = ctx.g.op('Softmax', [ctx.g.as(v, layout)], ctx.name, { axis: attr.int(axisIn(layout, v.shape.length, kerasAxis)) });
  return [valueOf(v.shape, layout, out)];
};

export const ACTIVATION_MAPPERS: Record<string, LayerMapper> = {
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: simple('LeakyRelu', (c) => ({ alpha: attr.float(num(c.config, 'alpha', 0.3)) })),
  ELU: simple('Elu', (c) => ({ alpha: attr.float(num(c.config, 'alpha', 1)) })),
  ThresholdedReLU: simple('ThresholdedRelu', (c) => ({ alpha: attr.float(num(c.config, 'theta', 1)) })),
  Softmax: softmaxLayer,
};
