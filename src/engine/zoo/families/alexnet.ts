// SPDX-License-Identifier: MIT
// AlexNet as torchvision builds it (torchvision/models/alexnet.py): the single-tower 64-192-384-256-256
// version of Krizhevsky's "One weird trick" paper (arXiv:1404.5997), without the 2012 paper's
// two-GPU split or local response normalisation. 61,100,840 parameters at 224 with 1000 classes.
// Layers are NHWC: porting torchvision weights must transpose kernels (OIHW -> HWIO) and permute
// fc6's input rows, since torchvision flattens C,H,W and Keras flattens H,W,C.
import * as tf from '@tensorflow/tfjs';
import { resolveOptions } from '../builder-kit';
import { AdaptiveAveragePooling2D, blockMatcher, conv, globalPool, predictions } from '../classic-kit';
import type { BuildOptions, ModelSpec } from '../types';

type T = tf.SymbolicTensor;

const maxPool = (x: T, name: string) =>
  tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name }).apply(x) as T;

function buildAlexNet(opts: BuildOptions = {}): tf.LayersModel {
  const o = resolveOptions(opts, { model: 'AlexNet', defaultSize: 224, minSize: 63 });
  const input = tf.input({ shape: o.inputShape, name: 'input_layer' });
  // torchvision: features.0 .. features.12
  let x = conv(input, { filters: 64, kernel: 11, strides: 4, pad: 2, activation: 'relu', name: 'conv1' });
  x = maxPool(x, 'pool1');
  x = conv(x, { filters: 192, kernel: 5, pad: 2, activation: 'relu', name: 'conv2' });
  x = maxPool(x, 'pool2');
  x = conv(x, { filters: 384, kernel: 3, pad: 1, activation: 'relu', name: 'conv3' });
  x = conv(x, { filters: 256, kernel: 3, pad: 1, activation: 'relu', name: 'conv4' });
  x = conv(x, { filters: 256, kernel: 3, pad: 1, activation: 'relu', name: 'conv5' });
  x = maxPool(x, 'pool5');
  if (o.includeTop) {
    // torchvision's AdaptiveAvgPool2d((6, 6)) lets the 9216-wide classifier take any input size.
    x = new AdaptiveAveragePooling2D({ outputSize: [6, 6], name: 'avgpool' }).apply(x) as T;
    x = tf.layers.flatten({ name: 'flatten' }).apply(x) as T;
    x = tf.layers.dropout({ rate: 0.5, name: 'fc6_dropout' }).apply(x) as T;
    x = tf.layers.dense({ units: 4096, activation: 'relu', name: 'fc6' }).apply(x) as T;
    x = tf.layers.dropout({ rate: 0.5, name: 'fc7_dropout' }).apply(x) as T;
    x = tf.layers.dense({ units: 4096, activation: 'relu', name: 'fc7' }).apply(x) as T;
    x = predictions(x, o.classes, o.classifierActivation);
  } else {
    x = globalPool(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name: 'alexnet' });
}

/** AlexNet (torchvision layout). */
export const specs: readonly ModelSpec[] = [
  {
    id: 'alexnet',
    name: 'AlexNet',
    family: 'alexnet',
    kind: 'classic',
    paper: {
      title: 'ImageNet Classification with Deep Convolutional Neural Networks',
      authors: 'A. Krizhevsky, I. Sutskever, G. E. Hinton',
      year: 2012,
      url: 'https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html',
    },
    story:
      'AlexNet won ILSVRC 2012 and was much larger than earlier CNNs such as LeNet-5: about 60M parameters and ' +
      '650,000 neurons, trained for five to six days on two GTX 580 GPUs. Five convolutional and three fully ' +
      'connected layers, with ReLU after every one of them. This is the torchvision single-tower variant.',
    defaultInputSize: 224,
    minInputSize: 63,
    fixedInputWithTop: false,
    // Weights for this layout are torchvision's, trained on x/255 normalised by the ImageNet mean/std.
    preprocess: 'torch',
    // torchvision model card (IMAGENET1K_V1): acc@1 56.522, acc@5 79.066, 233.1 MB.
    reference: { top1: 0.56522, top5: 0.79066, sizeMb: 233.1 },
    params: { top: 61_100_840, notop: 2_469_696 },
    featureLayer: 'pool5',
    build: buildAlexNet,
    blockOf: blockMatcher([/^(conv[1-5])(_|$)/, /^(fc[67])/], ['predictions']),
  },
];
