// SPDX-License-Identifier: MIT
// LeNet-5 (LeCun et al. 1998) in the common textbook form: C1 conv6@5x5, S2 avg-pool, C3 conv16@5x5,
// S4 avg-pool, C5 conv120@5x5, F6 dense 84, output dense. tanh throughout, as in the paper.
// Differences from the paper, all of them usual in re-implementations: S2/S4 are plain average pools
// (the paper's have a trainable coefficient and bias per map), C3 is fully connected to S2 (the paper
// wires each C3 map to a subset of S2 maps, 1,516 weights instead of 2,416), and the output is a
// softmax Dense instead of Euclidean RBF units. That gives 61,706 parameters for 10 classes on
// 32x32 grayscale, against the paper's "about 60,000".
import * as tf from '@tensorflow/tfjs';
import { resolveOptions } from '../builder-kit';
import { blockMatcher, conv, globalPool, predictions } from '../classic-kit';
import type { BuildOptions, ModelSpec } from '../types';

type T = tf.SymbolicTensor;

const avgPool = (x: T, name: string) =>
  tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name }).apply(x) as T;

function buildLeNet5(opts: BuildOptions = {}): tf.LayersModel {
  // The paper's digits: 32x32 grayscale, 10 classes. RGB works too (inputShape [32, 32, 3]).
  const o = resolveOptions(
    { ...opts, inputShape: opts.inputShape ?? [32, 32, 1], classes: opts.classes ?? 10 },
    { model: 'LeNet-5', defaultSize: 32, minSize: 32 },
  );
  const input = tf.input({ shape: o.inputShape, name: 'input_layer' });
  let x = conv(input, { filters: 6, kernel: 5, activation: 'tanh', name: 'c1' });
  x = avgPool(x, 's2');
  x = conv(x, { filters: 16, kernel: 5, activation: 'tanh', name: 'c3' });
  x = avgPool(x, 's4');
  // C5 is a 5x5 convolution over the 5x5 S4 maps: a dense layer at 32x32, a conv on larger inputs.
  x = conv(x, { filters: 120, kernel: 5, activation: 'tanh', name: 'c5' });
  if (o.includeTop) {
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as T;
    x = tf.layers.dense({ units: 84, activation: 'tanh', name: 'f6' }).apply(x) as T;
    x = predictions(x, o.classes, o.classifierActivation);
  } else {
    x = globalPool(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name: 'lenet5' });
}

/** LeNet-5, the classic template: conv + pool pairs, then fully connected layers. */
export const specs: readonly ModelSpec[] = [
  {
    id: 'lenet5',
    name: 'LeNet-5',
    family: 'lenet',
    kind: 'classic',
    paper: {
      title: 'Gradient-based learning applied to document recognition',
      authors: 'Y. LeCun, L. Bottou, Y. Bengio, P. Haffner',
      year: 1998,
      url: 'https://doi.org/10.1109/5.726791',
    },
    story:
      'LeNet-5 stacks two sets of convolution and average-pooling layers, a flattening convolution, two fully ' +
      'connected layers and a softmax classifier, for 32x32 grayscale characters. It became the standard template: ' +
      'convolutions with an activation, pooling, then fully connected layers. This build is the common variant ' +
      '(tanh, plain average pooling, full C3 connectivity, softmax output): 61,706 parameters for 10 classes.',
    defaultInputSize: 32,
    minInputSize: 32,
    fixedInputWithTop: false,
    // The paper scales pixels so the background is -0.1 and ink 1.175 (mean ~0, variance ~1 for tanh);
    // Keras's 'tf' mode ([-1, 1]) is the stock mode closest to that.
    preprocess: 'tf',
    // The paper reports MNIST test error (0.95%, 0.8% with distortions), not ImageNet figures.
    reference: {},
    params: { top: 61_706, notop: 50_692 },
    featureLayer: 'c5',
    build: buildLeNet5,
    blockOf: blockMatcher([/^(c1|c3|c5|f6)$/], ['predictions']),
  },
];
