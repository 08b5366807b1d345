// SPDX-License-Identifier: MIT
// MobileNet (v1) as keras.applications.mobilenet builds it, with alpha (width) and
// depthMultiplier (resolution of the depthwise step) as Keras takes them.
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { resolveOptions, type InputRules } from '../builder-kit';
import { apply, imageInput, kerasSpec, poolFeatures } from '../keras-spec';
import { GlobalAveragePooling2D } from '../layers/global-average-pooling-2d';
import type { BuildOptions, ModelSpec } from '../types';

/** Depthwise separable blocks 1..13: [pointwise filters, stride] (the paper's Table 1). */
const BLOCKS: readonly (readonly [number, 1 | 2])[] = [
  [64, 1],
  [128, 2], [128, 1],
  [256, 2], [256, 1],
  [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1],
  [1024, 2], [1024, 1],
];

type T = tf.SymbolicTensor;

// Keras uses the default BN momentum here but epsilon 1e-3, as the weights were trained.
const bn = (name: string) => tf.layers.batchNormalization({ epsilon: 1e-3, name });
const relu6 = (name: string) => tf.layers.reLU({ maxValue: 6, name });

function positive(name: string, v: unknown, hint: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new AppError('INVALID_ARGUMENT', `MobileNet: ${name} must be a positive number. Received: ${JSON.stringify(v)}. ${hint}`, { received: v });
  }
  return v;
}

/** Keras `_depthwise_conv_block`: a 3x3 depthwise conv then a 1x1 pointwise conv, each with BN and ReLU6. */
function depthwiseConvBlock(x: T, pointwiseFilters: number, alpha: number, depthMultiplier: number, stride: number, id: number): T {
  // A stride-2 block pads bottom/right by one and convolves 'valid', as TF's 'same' would.
  if (stride === 2) x = apply(tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `conv_pad_${id}` }), x);
  x = apply(
    tf.layers.depthwiseConv2d({ kernelSize: 3, padding: stride === 1 ? 'same' : 'valid', depthMultiplier, strides: stride, useBias: false, name: `conv_dw_${id}` }),
    x,
  );
  x = apply(relu6(`conv_dw_${id}_relu`), apply(bn(`conv_dw_${id}_bn`), x));
  x = apply(tf.layers.conv2d({ filters: Math.trunc(pointwiseFilters * alpha), kernelSize: 1, padding: 'same', useBias: false, name: `conv_pw_${id}` }), x);
  return apply(relu6(`conv_pw_${id}_relu`), apply(bn(`conv_pw_${id}_bn`), x));
}

function buildMobileNet(rules: InputRules, opts: BuildOptions): tf.LayersModel {
  const o = resolveOptions(opts, rules);
  const alpha = positive('alpha', opts.alpha ?? 1.0, "Keras's weights exist for 0.25, 0.5, 0.75 and 1.0.");
  const depthMultiplier = opts.depthMultiplier ?? 1;
  if (!Number.isInteger(depthMultiplier) || depthMultiplier < 1) {
    throw new AppError('INVALID_ARGUMENT', `MobileNet: depthMultiplier must be a positive integer. Received: ${JSON.stringify(depthMultiplier)}. Keras's weights use 1.`, { received: depthMultiplier });
  }
  const dropout = opts.dropout ?? 1e-3;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new AppError('INVALID_ARGUMENT', `MobileNet: dropout must be in [0, 1). Received: ${JSON.stringify(dropout)}. Keras's default is 0.001.`, { received: dropout });
  }
  const input = imageInput(o.inputShape);
  let x = apply(tf.layers.conv2d({ filters: Math.trunc(32 * alpha), kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' }), input);
  x = apply(relu6('conv1_relu'), apply(bn('conv1_bn'), x));
  BLOCKS.forEach(([filters, stride], i) => {
    x = depthwiseConvBlock(x, filters, alpha, depthMultiplier, stride, i + 1);
  });
  if (o.includeTop) {
    // The classifier is a 1x1 convolution (as in the paper), hence the pooled map keeps 1x1.
    x = apply(new GlobalAveragePooling2D({ keepdims: true, name: 'global_average_pooling2d' }), x);
    x = apply(tf.layers.dropout({ rate: dropout, name: 'dropout' }), x);
    x = apply(tf.layers.conv2d({ filters: o.classes, kernelSize: 1, padding: 'same', name: 'conv_preds' }), x);
    x = apply(tf.layers.reshape({ targetShape: [o.classes], name: 'reshape_2' }), x);
    x = apply(tf.layers.activation({ activation: (o.classifierActivation ?? 'linear') as 'linear', name: 'predictions' }), x);
  } else {
    x = poolFeatures(x, o.pooling, { avg: 'global_average_pooling2d', max: 'global_max_pooling2d' });
  }
  return tf.model({ inputs: input, outputs: x, name: `mobilenet_${alpha.toFixed(2)}_${o.inputShape[0]}` });
}

/** 'conv1' (the full 3x3 stem conv), 'block_1' … 'block_13' (conv_pad/dw/pw N), 'top'. */
function blockOf(layer: string): string | null {
  if (layer.startsWith('conv1')) return 'conv1';
  const m = /^conv_(?:pad|dw|pw)_(\d+)/.exec(layer);
  if (m) return `block_${m[1]}`;
  if (['dropout', 'conv_preds', 'reshape_2', 'predictions'].includes(layer) || layer.startsWith('global_')) return 'top';
  return null;
}

export const specs: readonly ModelSpec[] = [
  kerasSpec({
    kerasName: 'MobileNet',
    family: 'mobilenet',
    paper: {
      title: 'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications',
      authors: 'Andrew G. Howard, Menglong Zhu, Bo Chen, Dmitry Kalenichenko, Weijun Wang, Tobias Weyand, Marco Andreetto, Hartwig Adam',
      year: 2017,
      url: 'https://arxiv.org/abs/1704.04861',
    },
    story:
      'MobileNet builds a whole network from the depthwise separable convolution the lecture meets in Xception: a 3x3 filter per channel for the spatial correlations, then a 1x1 convolution across channels. ' +
      'That costs roughly a ninth of a full 3x3 convolution, so 13 such blocks give VGG-like accuracy with 4.2M parameters; ' +
      'alpha thins every layer and depthMultiplier widens the depthwise step, trading accuracy for speed on phones.',
    fixedInputWithTop: false,
    featureLayer: 'conv_pw_13_relu',
    build: buildMobileNet,
    blockOf,
  }),
];
