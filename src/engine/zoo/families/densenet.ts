// SPDX-License-Identifier: MIT
// DenseNet121/169/201 as keras.applications.densenet builds them.
import * as tf from '@tensorflow/tfjs';
import { KerasNamer, resolveOptions, type InputRules } from '../builder-kit';
import { apply, imageInput, kerasSpec, avgPoolClassifier } from '../keras-spec';
import { kerasFacts } from '../keras-facts';
import type { BuildOptions, ModelSpec } from '../types';

/** Conv blocks in the dense blocks conv2..conv5; the number in the name counts layers with weights. */
const BLOCKS: Readonly<Record<'DenseNet121' | 'DenseNet169' | 'DenseNet201', readonly [number, number, number, number]>> = {
  DenseNet121: [6, 12, 24, 16],
  DenseNet169: [6, 12, 32, 32],
  DenseNet201: [6, 12, 48, 32],
};
const GROWTH_RATE = 32; // feature maps each conv block adds
const REDUCTION = 0.5; // transition blocks halve the channels

type T = tf.SymbolicTensor;

const bn = (name: string) => tf.layers.batchNormalization({ axis: 3, epsilon: 1.001e-5, name });
const relu = (name: string) => tf.layers.activation({ activation: 'relu', name });

/** Keras `conv_block`: BN-ReLU-1x1 (4k) - BN-ReLU-3x3 (k), concatenated onto everything before. */
function convBlock(x: T, name: string): T {
  let y = apply(relu(`${name}_0_relu`), apply(bn(`${name}_0_bn`), x));
  y = apply(tf.layers.conv2d({ filters: 4 * GROWTH_RATE, kernelSize: 1, useBias: false, name: `${name}_1_conv` }), y);
  y = apply(relu(`${name}_1_relu`), apply(bn(`${name}_1_bn`), y));
  y = apply(tf.layers.conv2d({ filters: GROWTH_RATE, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_2_conv` }), y);
  return apply(tf.layers.concatenate({ axis: 3, name: `${name}_concat` }), [x, y]);
}

/** Keras `transition_block`: BN-ReLU-1x1 conv halving the channels, then 2x2 average pooling. */
function transitionBlock(x: T, name: string): T {
  x = apply(relu(`${name}_relu`), apply(bn(`${name}_bn`), x));
  x = apply(tf.layers.conv2d({ filters: Math.trunc((x.shape[3] as number) * REDUCTION), kernelSize: 1, useBias: false, name: `${name}_conv` }), x);
  return apply(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` }), x);
}

function buildDenseNet(blocks: readonly number[], modelName: string, rules: InputRules, opts: BuildOptions): tf.LayersModel {
  const o = resolveOptions(opts, rules);
  const namer = new KerasNamer(); // Keras leaves the two stem paddings unnamed
  const input = imageInput(o.inputShape);
  let x = apply(tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: namer.next('zero_padding2d') }), input);
  x = apply(tf.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, useBias: false, name: 'conv1_conv' }), x);
  x = apply(relu('conv1_relu'), apply(bn('conv1_bn'), x));
  x = apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: namer.next('zero_padding2d') }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }), x);
  blocks.forEach((n, s) => {
    for (let i = 1; i <= n; i++) x = convBlock(x, `conv${s + 2}_block${i}`);
    if (s < blocks.length - 1) x = transitionBlock(x, `pool${s + 2}`);
  });
  x = apply(relu('relu'), apply(bn('bn'), x));
  x = avgPoolClassifier(x, o);
  return tf.model({ inputs: input, outputs: x, name: modelName });
}

/** 'conv1' (stem and pool1), 'conv2_block1' …, 'pool2' … (transitions), 'post' (final bn, relu), 'top'. */
function blockOf(layer: string): string | null {
  const m = /^(conv\d_block\d+)_/.exec(layer) ?? /^(pool[2-4])_/.exec(layer);
  if (m) return m[1];
  if (layer.startsWith('conv1_') || layer.startsWith('zero_padding2d') || layer === 'pool1') return 'conv1';
  if (layer === 'bn' || layer === 'relu') return 'post';
  if (layer === 'avg_pool' || layer === 'max_pool' || layer === 'predictions') return 'top';
  return null;
}

const STORY =
  'DenseNet pushes the ResNet shortcut further: instead of adding a block\'s input to its output, every layer in a dense block receives the feature maps of all layers before it, concatenated. ' +
  'Each layer only adds 32 new maps (1x1 convolutions keep the cost down, as in Inception), and transition layers halve channels and image size between blocks, ' +
  'so features are reused and gradients reach early layers directly with few parameters: ';

export const specs: readonly ModelSpec[] = (Object.keys(BLOCKS) as (keyof typeof BLOCKS)[]).map((kerasName) =>
  kerasSpec({
    kerasName,
    family: 'densenet',
    paper: {
      title: 'Densely Connected Convolutional Networks',
      authors: 'Gao Huang, Zhuang Liu, Laurens van der Maaten, Kilian Q. Weinberger',
      year: 2017,
      url: 'https://arxiv.org/abs/1608.06993',
    },
    story: `${STORY}${kerasName} has ${(kerasFacts(kerasName).total_params_top / 1e6).toFixed(1)}M.`,
    fixedInputWithTop: false,
    featureLayer: 'relu',
    build: (rules, opts) => buildDenseNet(BLOCKS[kerasName], kerasName.toLowerCase(), rules, opts),
    blockOf,
  }),
);
