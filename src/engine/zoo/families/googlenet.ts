// SPDX-License-Identifier: MIT
// GoogLeNet (Inception v1) as torchvision builds it (torchvision/models/googlenet.py), without the
// auxiliary classifiers: 6,624,904 parameters with 1000 classes, torchvision's count.
// torchvision differs from the 2014 paper in two ways that the count depends on:
//  - every conv is BasicConv2d (conv without bias + BatchNorm eps 1e-3 + ReLU); the paper has no BN;
//  - the "5x5" branch uses a 3x3 kernel (a slip kept for its weights, pytorch/vision#906).
// With BN, Keras-style totals also count the moving mean/variance (14,560 non-trainable values), so
// model.countParams() is 6,639,464 and the trainable count is torchvision's 6,624,904.
// Layer names follow the torchvision state dict: `inception3a.branch2.1.conv` -> `inception3a_branch2_1_conv`.
import * as tf from '@tensorflow/tfjs';
import { resolveOptions } from '../builder-kit';
import { blockMatcher, ceilMaxPool, convBnRelu, globalPool, predictions } from '../classic-kit';
import type { BuildOptions, ModelSpec } from '../types';

type T = tf.SymbolicTensor;

const EPS = 0.001;

/** [name, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj] per Inception module, torchvision's table. */
type Module = [name: string, c1: number, c3r: number, c3: number, c5r: number, c5: number, pool: number];
const STAGE3: Module[] = [
  ['inception3a', 64, 96, 128, 16, 32, 32],
  ['inception3b', 128, 128, 192, 32, 96, 64],
];
const STAGE4: Module[] = [
  ['inception4a', 192, 96, 208, 16, 48, 64],
  ['inception4b', 160, 112, 224, 24, 64, 64],
  ['inception4c', 128, 128, 256, 24, 64, 64],
  ['inception4d', 112, 144, 288, 32, 64, 64],
  ['inception4e', 256, 160, 320, 32, 128, 128],
];
const STAGE5: Module[] = [
  ['inception5a', 256, 160, 320, 32, 128, 128],
  ['inception5b', 384, 192, 384, 48, 128, 128],
];

function inception(x: T, [name, c1, c3r, c3, c5r, c5, poolProj]: Module): T {
  const b1 = convBnRelu(x, { filters: c1, kernel: 1, epsilon: EPS, name: `${name}_branch1` });
  let b2 = convBnRelu(x, { filters: c3r, kernel: 1, epsilon: EPS, name: `${name}_branch2_0` });
  b2 = convBnRelu(b2, { filters: c3, kernel: 3, pad: 1, epsilon: EPS, name: `${name}_branch2_1` });
  let b3 = convBnRelu(x, { filters: c5r, kernel: 1, epsilon: EPS, name: `${name}_branch3_0` });
  b3 = convBnRelu(b3, { filters: c5, kernel: 3, pad: 1, epsilon: EPS, name: `${name}_branch3_1` });
  // MaxPool2d(3, 1, padding=1): PyTorch pads with -inf, as TF's 'same' does.
  let b4 = tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `${name}_branch4_pool` }).apply(x) as T;
  b4 = convBnRelu(b4, { filters: poolProj, kernel: 1, epsilon: EPS, name: `${name}_branch4_1` });
  return tf.layers.concatenate({ axis: 3, name: `${name}_concat` }).apply([b1, b2, b3, b4]) as T;
}

function buildGoogLeNet(opts: BuildOptions = {}): tf.LayersModel {
  const o = resolveOptions(opts, { model: 'GoogLeNet', defaultSize: 224, minSize: 32 });
  const input = tf.input({ shape: o.inputShape, name: 'input_layer' });
  let x = convBnRelu(input, { filters: 64, kernel: 7, strides: 2, pad: 3, epsilon: EPS, name: 'conv1' });
  x = ceilMaxPool(x, 3, 2, 'maxpool1');
  x = convBnRelu(x, { filters: 64, kernel: 1, epsilon: EPS, name: 'conv2' });
  x = convBnRelu(x, { filters: 192, kernel: 3, pad: 1, epsilon: EPS, name: 'conv3' });
  x = ceilMaxPool(x, 3, 2, 'maxpool2');
  for (const m of STAGE3) x = inception(x, m);
  x = ceilMaxPool(x, 3, 2, 'maxpool3');
  for (const m of STAGE4) x = inception(x, m);
  x = ceilMaxPool(x, 2, 2, 'maxpool4');
  for (const m of STAGE5) x = inception(x, m);
  if (o.includeTop) {
    x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as T;
    x = tf.layers.dropout({ rate: 0.2, name: 'dropout' }).apply(x) as T;
    x = predictions(x, o.classes, o.classifierActivation);
  } else {
    x = globalPool(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name: 'googlenet' });
}

/** GoogLeNet / Inception v1 (torchvision layout, no auxiliary heads). */
export const specs: readonly ModelSpec[] = [
  {
    id: 'googlenet',
    name: 'GoogLeNet',
    family: 'googlenet',
    kind: 'classic',
    paper: {
      title: 'Going deeper with convolutions',
      authors: 'C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, V. Vanhoucke, A. Rabinovich',
      year: 2014,
      url: 'https://arxiv.org/abs/1409.4842',
    },
    story:
      'Instead of choosing between a 1x1, 3x3 or 5x5 convolution or a pooling layer, an Inception module does them ' +
      'all and concatenates the results, with 1x1 convolutions first to cut the depth (and the computation, about ' +
      'tenfold). Stacking these modules gives a 22-layer network with about 5M parameters.',
    defaultInputSize: 224,
    minInputSize: 32,
    fixedInputWithTop: false,
    // torchvision's weights expect torch normalisation (its transform_input step, applied only with the
    // pretrained weights, converts that to the [-1, 1] range Google's original weights used).
    preprocess: 'torch',
    // torchvision model card (IMAGENET1K_V1): acc@1 69.778, acc@5 89.530, 49.7 MB.
    reference: { top1: 0.69778, top5: 0.8953, sizeMb: 49.7 },
    // torchvision's counts (no BN moving statistics); countParams() adds 14,560 of those.
    params: { top: 6_624_904, notop: 5_599_904 },
    featureLayer: 'inception5b_concat',
    build: buildGoogLeNet,
    blockOf: blockMatcher([/^(conv[1-3])_/, /^(inception[345][a-e])_/], ['avgpool', 'dropout', 'predictions']),
  },
];
