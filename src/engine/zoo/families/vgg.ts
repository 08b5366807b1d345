// SPDX-License-Identifier: MIT
// VGG16 and VGG19 as keras.applications.vgg16 / vgg19 build them.
import * as tf from '@tensorflow/tfjs';
import { resolveOptions, type InputRules } from '../builder-kit';
import { apply, imageInput, kerasSpec, poolFeatures } from '../keras-spec';
import type { BuildOptions, ModelSpec } from '../types';

/** 3x3 convolutions per block; the filters double per block up to 512 (64, 128, 256, 512, 512). */
const CONVS_PER_BLOCK: Readonly<Record<'VGG16' | 'VGG19', readonly number[]>> = {
  VGG16: [2, 2, 3, 3, 3],
  VGG19: [2, 2, 4, 4, 4],
};
const FILTERS = [64, 128, 256, 512, 512] as const;

const PAPER = {
  title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition',
  authors: 'Karen Simonyan, Andrew Zisserman',
  year: 2015,
  url: 'https://arxiv.org/abs/1409.1556',
};

function buildVgg(convsPerBlock: readonly number[], modelName: string, rules: InputRules, opts: BuildOptions): tf.LayersModel {
  const o = resolveOptions(opts, rules);
  const input = imageInput(o.inputShape);
  let x = input;
  convsPerBlock.forEach((convs, b) => {
    for (let c = 1; c <= convs; c++) {
      x = apply(
        tf.layers.conv2d({ filters: FILTERS[b], kernelSize: 3, padding: 'same', activation: 'relu', name: `block${b + 1}_conv${c}` }),
        x,
      );
    }
    x = apply(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }), x);
  });
  if (o.includeTop) {
    x = apply(tf.layers.flatten({ name: 'flatten' }), x);
    x = apply(tf.layers.dense({ units: 4096, activation: 'relu', name: 'fc1' }), x);
    x = apply(tf.layers.dense({ units: 4096, activation: 'relu', name: 'fc2' }), x);
    x = apply(tf.layers.dense({ units: o.classes, activation: (o.classifierActivation ?? 'linear') as 'linear', name: 'predictions' }), x);
  } else {
    x = poolFeatures(x, o.pooling, { avg: 'global_average_pooling2d', max: 'global_max_pooling2d' });
  }
  return tf.model({ inputs: input, outputs: x, name: modelName });
}

/** 'block1' … 'block5' (each ends with its max pool), then 'top' (flatten, fc1, fc2, predictions). */
function blockOf(layer: string): string | null {
  const m = /^(block\d)_/.exec(layer);
  if (m) return m[1];
  if (['flatten', 'fc1', 'fc2', 'predictions'].includes(layer) || layer.startsWith('global_')) return 'top';
  return null;
}

const STORY =
  'VGG showed that depth matters when every layer is kept simple: only 3x3 convolutions with stride 1 and same padding, ' +
  'and 2x2 max pooling with stride 2 that halves the image between blocks while the channels double. ' +
  'The price is size: the three fully connected layers at the top hold most of its ~138M parameters.';

export const specs: readonly ModelSpec[] = (['VGG16', 'VGG19'] as const).map((kerasName) =>
  kerasSpec({
    kerasName,
    family: 'vgg',
    paper: PAPER,
    story: kerasName === 'VGG16' ? STORY : STORY.replace('~138M', '~144M') + ' VGG19 adds a fourth convolution to each of the last three blocks.',
    // The Flatten before fc1 ties the classifier to a 7x7 feature map, i.e. a 224x224 input.
    fixedInputWithTop: true,
    featureLayer: 'block5_pool',
    build: (rules, opts) => buildVgg(CONVS_PER_BLOCK[kerasName], kerasName.toLowerCase(), rules, opts),
    blockOf,
  }),
);
