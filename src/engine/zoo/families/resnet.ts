// SPDX-License-Identifier: MIT
// ResNet50/101/152 as keras.applications.resnet builds them. The generic builder is exported for
// resnet-v2.ts, as Keras's resnet_v2.py reuses resnet.ResNet with a pre-activation stack.
import * as tf from '@tensorflow/tfjs';
import { resolveOptions, type InputRules } from '../builder-kit';
import { apply, imageInput, kerasSpec, avgPoolClassifier } from '../keras-spec';
import type { BuildOptions, ModelSpec, PaperRef } from '../types';

/** Bottleneck blocks in the stages conv2..conv5 (the paper's Table 1). */
const BLOCKS: Readonly<Record<'ResNet50' | 'ResNet101' | 'ResNet152', readonly [number, number, number, number]>> = {
  ResNet50: [3, 4, 6, 3],
  ResNet101: [3, 4, 23, 3],
  ResNet152: [3, 8, 36, 3],
};
const STAGE_FILTERS = [64, 128, 256, 512] as const;

// Keras builds every ResNet BatchNormalization with this epsilon (and the default momentum).
export const RESNET_BN = { axis: 3, epsilon: 1.001e-5 } as const;

export const RESNET_PAPER: PaperRef = {
  title: 'Deep Residual Learning for Image Recognition',
  authors: 'Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun',
  year: 2015,
  url: 'https://arxiv.org/abs/1512.03385',
};

type T = tf.SymbolicTensor;

const bn = (name: string) => tf.layers.batchNormalization({ ...RESNET_BN, name });
const relu = (name: string) => tf.layers.activation({ activation: 'relu', name });

/**
 * Keras `resnet.ResNet`: the 7x7 stem, the stages from `stack`, then the top. `preact` (V2) moves
 * the stem's BN+ReLU to a final `post_bn`/`post_relu`. (Keras's `use_bias` argument is True for
 * every shipped variant, so it is not a parameter here.)
 */
export function buildResNet(
  stack: (x: T) => T,
  preact: boolean,
  modelName: string,
  rules: InputRules,
  opts: BuildOptions,
): tf.LayersModel {
  const o = resolveOptions(opts, rules);
  const input = imageInput(o.inputShape);
  let x = apply(tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }), input);
  x = apply(tf.layers.conv2d({ filters: 64, kernelSize: 7, strides: 2, useBias: true, name: 'conv1_conv' }), x);
  if (!preact) x = apply(relu('conv1_relu'), apply(bn('conv1_bn'), x));
  x = apply(tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }), x);
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }), x);
  x = stack(x);
  if (preact) x = apply(relu('post_relu'), apply(bn('post_bn'), x));
  x = avgPoolClassifier(x, o);
  return tf.model({ inputs: input, outputs: x, name: modelName });
}

/** Keras `residual_block_v1`: 1x1 reduce, 3x3, 1x1 expand (x4), added to the (projected) shortcut. */
function residualBlockV1(x: T, filters: number, stride: number, convShortcut: boolean, name: string): T {
  let shortcut = x;
  if (convShortcut) {
    shortcut = apply(tf.layers.conv2d({ filters: 4 * filters, kernelSize: 1, strides: stride, name: `${name}_0_conv` }), x);
    shortcut = apply(bn(`${name}_0_bn`), shortcut);
  }
  let y = apply(tf.layers.conv2d({ filters, kernelSize: 1, strides: stride, name: `${name}_1_conv` }), x);
  y = apply(relu(`${name}_1_relu`), apply(bn(`${name}_1_bn`), y));
  y = apply(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: `${name}_2_conv` }), y);
  y = apply(relu(`${name}_2_relu`), apply(bn(`${name}_2_bn`), y));
  y = apply(tf.layers.conv2d({ filters: 4 * filters, kernelSize: 1, name: `${name}_3_conv` }), y);
  y = apply(bn(`${name}_3_bn`), y);
  // Shortcut first, as Keras adds them: the order decides which branch's layers come first.
  y = apply(tf.layers.add({ name: `${name}_add` }), [shortcut, y]);
  return apply(relu(`${name}_out`), y);
}

function stackV1(blocks: readonly number[]) {
  return (x: T): T => {
    blocks.forEach((n, s) => {
      const name = `conv${s + 2}`;
      // conv2 follows the stride-2 max pool, so only conv3..conv5 downsample in their first block.
      x = residualBlockV1(x, STAGE_FILTERS[s], s === 0 ? 1 : 2, true, `${name}_block1`);
      for (let i = 2; i <= n; i++) x = residualBlockV1(x, STAGE_FILTERS[s], 1, false, `${name}_block${i}`);
    });
    return x;
  };
}

/**
 * Freezing blocks shared by ResNet and ResNetV2: 'conv1' (stem and pool1), 'conv2_block1' …,
 * 'post' (V2's final BN+ReLU), 'top'. Auto-named layers are resolved by the caller.
 */
export function resnetBlockOf(layer: string): string | null {
  const m = /^(conv\d_block\d+)_/.exec(layer);
  if (m) return m[1];
  if (layer.startsWith('conv1_') || layer.startsWith('pool1_')) return 'conv1';
  if (layer === 'post_bn' || layer === 'post_relu') return 'post';
  if (layer === 'avg_pool' || layer === 'max_pool' || layer === 'predictions') return 'top';
  return null;
}

const STORIES: Readonly<Record<keyof typeof BLOCKS, string>> = {
  ResNet50:
    'Plain networks get worse as they get deeper, because the gradient vanishes on its way back through many layers. ' +
    'ResNet adds a shortcut around every few layers, a[l+2] = g(z[l+2] + a[l]), so a block only has to learn a residual and the signal can skip ahead. ' +
    'ResNet50 stacks 16 bottleneck blocks (1x1, 3x3, 1x1 convolutions) in four stages.',
  ResNet101:
    'ResNet101 is ResNet50 with 23 instead of 6 bottleneck blocks in its third stage. ' +
    'The shortcuts (a[l+2] = g(z[l+2] + a[l])) keep the gradient alive, so the extra depth buys accuracy instead of the degradation plain deep networks suffer.',
  ResNet152:
    'ResNet152 is the deepest ResNet in Keras: 50 bottleneck blocks, 8 and 36 of them in the middle stages. ' +
    'Thanks to the residual shortcuts it trains where a plain network of that depth would not, and it won ILSVRC 2015.',
};

export const specs: readonly ModelSpec[] = (Object.keys(BLOCKS) as (keyof typeof BLOCKS)[]).map((kerasName) =>
  kerasSpec({
    kerasName,
    family: 'resnet',
    paper: RESNET_PAPER,
    story: STORIES[kerasName],
    fixedInputWithTop: false,
    featureLayer: 'conv5_block3_out',
    build: (rules, opts) => buildResNet(stackV1(BLOCKS[kerasName]), false, kerasName.toLowerCase(), rules, opts),
    blockOf: resnetBlockOf,
  }),
);
