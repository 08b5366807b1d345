// SPDX-License-Identifier: MIT
// ResNet18 and ResNet34 as torchvision builds them (torchvision/models/resnet.py, BasicBlock):
// Keras Applications only has the bottleneck ResNets (50/101/152). Counts are torchvision's:
// 11,689,512 and 21,797,672 with 1000 classes. Keras-style totals also count the BN moving
// mean/variance (9,600 and 17,024 non-trainable values), which torchvision keeps as buffers.
// Names follow the torchvision state dict: `layer2.0.downsample.0` -> `layer2_block0_downsample_conv`.
import * as tf from '@tensorflow/tfjs';
import { resolveOptions } from '../builder-kit';
import { blockMatcher, conv, globalPool, predictions } from '../classic-kit';
import type { BuildOptions, ModelSpec, PaperRef } from '../types';

type T = tf.SymbolicTensor;

const EPS = 1e-5; // torchvision BatchNorm2d default
const WIDTHS = [64, 128, 256, 512] as const;

const bn = (x: T, name: string) =>
  tf.layers.batchNormalization({ axis: 3, epsilon: EPS, momentum: 0.9, name }).apply(x) as T;
const relu = (x: T, name: string) => tf.layers.activation({ activation: 'relu', name }).apply(x) as T;

function basicBlock(x: T, filters: number, stride: number, name: string): T {
  const inChannels = x.shape[3];
  let y = conv(x, { filters, kernel: 3, strides: stride, pad: 1, useBias: false, name: `${name}_conv1` });
  y = relu(bn(y, `${name}_bn1`), `${name}_relu1`);
  y = conv(y, { filters, kernel: 3, pad: 1, useBias: false, name: `${name}_conv2` });
  y = bn(y, `${name}_bn2`);
  let shortcut = x;
  if (stride !== 1 || inChannels !== filters) {
    shortcut = conv(x, { filters, kernel: 1, strides: stride, useBias: false, name: `${name}_downsample_conv` });
    shortcut = bn(shortcut, `${name}_downsample_bn`);
  }
  const sum = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as T;
  return relu(sum, `${name}_relu2`);
}

function buildResNet(name: string, depths: readonly number[], opts: BuildOptions): tf.LayersModel {
  const o = resolveOptions(opts, { model: name, defaultSize: 224, minSize: 32 });
  const input = tf.input({ shape: o.inputShape, name: 'input_layer' });
  let x = conv(input, { filters: 64, kernel: 7, strides: 2, pad: 3, useBias: false, name: 'conv1' });
  x = relu(bn(x, 'bn1'), 'conv1_relu');
  // MaxPool2d(3, 2, padding=1) after a ReLU: zero padding equals PyTorch's -inf padding (as in Keras's ResNet).
  x = tf.layers.zeroPadding2d({ padding: 1, name: 'maxpool_pad' }).apply(x) as T;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'maxpool' }).apply(x) as T;
  depths.forEach((blocks, stage) => {
    for (let b = 0; b < blocks; b++) {
      x = basicBlock(x, WIDTHS[stage], b === 0 && stage > 0 ? 2 : 1, `layer${stage + 1}_block${b}`);
    }
  });
  if (o.includeTop) {
    x = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as T;
    x = predictions(x, o.classes, o.classifierActivation);
  } else {
    x = globalPool(x, o.pooling);
  }
  return tf.model({ inputs: input, outputs: x, name: name.toLowerCase() });
}

const PAPER: PaperRef = {
  title: 'Deep Residual Learning for Image Recognition',
  authors: 'K. He, X. Zhang, S. Ren, J. Sun',
  year: 2015,
  url: 'https://arxiv.org/abs/1512.03385',
};

const STORY =
  'Deeper plain networks train worse: gradients vanish and accuracy saturates, then degrades. A residual block ' +
  'adds its input to its output, a[l+2] = g(z[l+2] + a[l]), so a block can start as the identity and the ' +
  'gradient has a short path back. ResNet18 and ResNet34 use BasicBlocks of two 3x3 convolutions.';

const base = {
  family: 'resnet-classic',
  kind: 'classic',
  paper: PAPER,
  story: STORY,
  defaultInputSize: 224,
  minInputSize: 32,
  fixedInputWithTop: false,
  // torchvision's weights were trained on x/255 normalised by the ImageNet mean/std.
  preprocess: 'torch',
  featureLayer: 'layer4_block1_relu2',
  blockOf: blockMatcher([/^(layer\d_block\d+)_/, /^(conv1)/], ['avgpool', 'predictions']),
} as const satisfies Partial<ModelSpec>;

/** ResNet18 / ResNet34 (torchvision BasicBlock layout). */
export const specs: readonly ModelSpec[] = [
  {
    ...base,
    id: 'resnet18',
    name: 'ResNet18',
    // torchvision model card (IMAGENET1K_V1): acc@1 69.758, acc@5 89.078, 44.7 MB.
    reference: { top1: 0.69758, top5: 0.89078, sizeMb: 44.7 },
    params: { top: 11_689_512, notop: 11_176_512 },
    build: (opts: BuildOptions = {}) => buildResNet('ResNet18', [2, 2, 2, 2], opts),
  },
  {
    ...base,
    id: 'resnet34',
    name: 'ResNet34',
    // torchvision model card (IMAGENET1K_V1): acc@1 73.314, acc@5 91.420, 83.3 MB.
    reference: { top1: 0.73314, top5: 0.9142, sizeMb: 83.3 },
    params: { top: 21_797_672, notop: 21_284_672 },
    featureLayer: 'layer4_block2_relu2',
    build: (opts: BuildOptions = {}) => buildResNet('ResNet34', [3, 4, 6, 3], opts),
  },
];
