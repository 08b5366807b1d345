// SPDX-License-Identifier: MIT
// Activations: RELU, RELU6, LOGISTIC, TANH, SOFTMAX; swish as x * LOGISTIC(x). Convolutions and Dense
// fuse ReLU/ReLU6 into their op (fusedCode); other activations follow as their own ops (activate).
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { Emitter } from '../emitter';
import { Activation } from '../schema';
import { kerasConfig, type TflMapper } from './types';

/** The activation a layer applies: its `activation` config, or relu/relu6 for a ReLU layer. */
export function activationName(layer: tf.layers.Layer): string {
  const c = kerasConfig(layer);
  if (layer.getClassName() === 'ReLU') {
    if (c.threshold || c.negative_slope) throw new AppError('UNSUPPORTED', `TFLite export: ReLU ${layer.name} has a threshold or negative slope; only ReLU and ReLU6 are supported.`);
    return c.max_value === 6 ? 'relu6' : c.max_value == null ? 'relu' : 'unsupported';
  }
  return String(c.activation ?? 'linear');
}

/** The fused_activation_function code for `a`: NONE when TFLite cannot fuse it. */
export function fusedCode(a: string): number {
  return a === 'relu' ? Activation.RELU : a === 'relu6' ? Activation.RELU6 : Activation.NONE;
}

/** Emits activation `a` as its own op(s) on tensor `x`; returns the result tensor (`x` for linear). */
export function activate(e: Emitter, name: string, a: string, x: number, shape: number[]): number {
  if (a === 'linear') return x;
  const y = e.tensor(name, shape);
  if (a === 'relu') e.op('RELU', [x], [y]);
  else if (a === 'relu6') e.op('RELU6', [x], [y]);
  else if (a === 'sigmoid') e.op('LOGISTIC', [x], [y]);
  else if (a === 'tanh') e.op('TANH', [x], [y]);
  else if (a === 'softmax') e.op('SOFTMAX', [x], [y], { kind: 'SoftmaxOptions', values: { beta: 1 } });
  else if (a === 'swish' || a === 'silu') {
    const s = e.tensor(`${name}_sigmoid`, shape);
    e.op('LOGISTIC', [x], [s]);
    e.op('MUL', [x, s], [y], { kind: 'MulOptions', values: { fused_activation_function: Activation.NONE } });
  } else throw new AppError('UNSUPPORTED', `TFLite export: activation '${a}' in ${name} is not supported (relu, relu6, sigmoid, tanh, swish, softmax, linear).`);
  return y;
}

const activationLayer: TflMapper = (ctx) => activate(ctx.e, ctx.layer.name, activationName(ctx.layer), ctx.inputs[0], ctx.outShape);

export const ACTIVATION_MAPPERS: Record<string, TflMapper> = { ReLU: activationLayer, Activation: activationLayer };
