// SPDX-License-Identifier: MIT
// Pieces shared by the classic (pre-Keras-Applications) families: torchvision's BasicConv2d,
// PyTorch's padding and ceil-mode pooling expressed with Keras layers, and an
// AdaptiveAveragePooling2D layer, which tfjs-layers lacks and torchvision's AlexNet needs.
import * as tf from '@tensorflow/tfjs';

type T = tf.SymbolicTensor;

/** The static height and width of a symbolic NHWC tensor (every classic builder has a fixed input). */
export function spatialDims(x: T): [number, number] {
  const [, h, w] = x.shape;
  if (typeof h !== 'number' || typeof w !== 'number') {
    throw new Error(`Expected a tensor with a static height and width. Received shape ${JSON.stringify(x.shape)}.`);
  }
  return [h, w];
}

export interface ConvArgs {
  filters: number;
  kernel: number | [number, number];
  strides?: number;
  /** PyTorch-style symmetric zero padding, added as its own `<name>_pad` layer when > 0. */
  pad?: number | [number, number];
  /** Keras padding for the conv itself; 'same' replaces `pad` when the two agree (stride 1, odd kernel). */
  padding?: 'same' | 'valid';
  useBias?: boolean;
  activation?: 'relu' | 'tanh' | 'linear';
  name: string;
}

/** Conv2D with PyTorch's explicit padding (as Keras's ResNet does with ZeroPadding2D). */
export function conv(x: T, a: ConvArgs): T {
  const pad = a.pad ?? 0;
  const [ph, pw] = typeof pad === 'number' ? [pad, pad] : pad;
  let y = x;
  if (ph > 0 || pw > 0) {
    y = tf.layers.zeroPadding2d({ padding: [ph, pw], name: `${a.name}_pad` }).apply(y) as T;
  }
  return tf.layers
    .conv2d({
      filters: a.filters,
      kernelSize: a.kernel,
      strides: a.strides ?? 1,
      padding: a.padding ?? 'valid',
      useBias: a.useBias ?? true,
      activation: a.activation ?? 'linear',
      name: a.name,
    })
    .apply(y) as T;
}

/**
 * torchvision's BasicConv2d: conv without bias, BatchNorm, ReLU, named `<name>_conv`,
 * `<name>_bn`, `<name>_relu` so `<name>.conv.weight` in a torchvision state dict maps by name.
 * PyTorch's BatchNorm momentum 0.1 is Keras's 0.9.
 */
export function convBnRelu(x: T, a: Omit<ConvArgs, 'useBias' | 'activation'> & { epsilon: number }): T {
  let y = conv(x, { ...a, useBias: false, name: `${a.name}_conv` });
  y = tf.layers.batchNormalization({ axis: 3, epsilon: a.epsilon, momentum: 0.9, name: `${a.name}_bn` }).apply(y) as T;
  return tf.layers.activation({ activation: 'relu', name: `${a.name}_relu` }).apply(y) as T;
}

/**
 * PyTorch `MaxPool2d(k, s, ceil_mode=True)` on non-negative input (it always follows a ReLU here):
 * the windows that ceil mode adds at the bottom/right are zero-padded, which cannot change a max
 * of values >= 0. TF's 'same' padding agrees only for some sizes, so the padding is explicit.
 */
export function ceilMaxPool(x: T, k: number, s: number, name: string): T {
  const [h, w] = spatialDims(x);
  const out = (n: number) => {
    let o = Math.ceil((n - k) / s) + 1;
    if ((o - 1) * s >= n) o -= 1; // PyTorch: the last window must start inside the input
    return o;
  };
  const padH = Math.max(0, (out(h) - 1) * s + k - h);
  const padW = Math.max(0, (out(w) - 1) * s + k - w);
  let y = x;
  if (padH > 0 || padW > 0) {
    y = tf.layers.zeroPadding2d({ padding: [[0, padH], [0, padW]], name: `${name}_pad` }).apply(y) as T;
  }
  return tf.layers.maxPooling2d({ poolSize: k, strides: s, padding: 'valid', name }).apply(y) as T;
}

/** PyTorch adaptive-pool bins: [floor(i*n/out), ceil((i+1)*n/out)) for i < out. */
export function adaptiveBins(n: number, out: number): [number, number][] {
  return Array.from({ length: out }, (_, i) => [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)]);
}

interface AdaptiveArgs {
  outputSize: [number, number];
  name?: string;
  trainable?: boolean;
}

/**
 * PyTorch's `AdaptiveAvgPool2d(outputSize)` for NHWC tensors: each output cell averages its
 * (possibly overlapping) PyTorch bin, so a torchvision AlexNet gives the same numbers at any input
 * size. At AlexNet's 224 input the map is already 6x6 and this is the identity.
 */
export class AdaptiveAveragePooling2D extends tf.layers.Layer {
  static className = 'AdaptiveAveragePooling2D';
  readonly outputSize: [number, number];

  constructor(args: AdaptiveArgs) {
    super(args);
    this.outputSize = [args.outputSize[0], args.outputSize[1]];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], this.outputSize[0], this.outputSize[1], s[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const [oh, ow] = this.outputSize;
      const pool = (t: tf.Tensor4D, axis: 1 | 2, out: number): tf.Tensor4D => {
        const n = t.shape[axis];
        if (n === out) return t;
        if (n % out === 0) {
          const k = n / out;
          const size: [number, number] = axis === 1 ? [k, 1] : [1, k];
          return tf.avgPool(t, size, size, 'valid');
        }
        const parts = adaptiveBins(n, out).map(([a, b]) => {
          const begin = [0, 0, 0, 0];
          const len = [-1, -1, -1, -1];
          begin[axis] = a;
          len[axis] = b - a;
          return tf.mean(tf.slice(t, begin, len), axis, true) as tf.Tensor4D;
        });
        return tf.concat(parts, axis);
      };
      // A bin's mean is the mean over its rows of the means over its columns, so rows and columns
      // can be pooled one after the other.
      return pool(pool(x, 1, oh), 2, ow);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), outputSize: this.outputSize };
  }
}
tf.serialization.registerClass(AdaptiveAveragePooling2D);

/** The optional global pooling Keras puts on a headless model. */
export function globalPool(x: T, pooling: 'avg' | 'max' | null): T {
  if (pooling === 'avg') return tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as T;
  if (pooling === 'max') return tf.layers.globalMaxPooling2d({ name: 'max_pool' }).apply(x) as T;
  return x;
}

/** The classifier Dense, named 'predictions' as in every Keras application. */
export function predictions(x: T, classes: number, activation: string | null): T {
  return tf.layers
    .dense({ units: classes, activation: (activation ?? 'linear') as 'softmax', name: 'predictions' })
    .apply(x) as T;
}

/** Layers that are 'top' in every family: the headless global pools and the classifier (as in Keras's ResNet). */
const TOP_LAYERS = ['avg_pool', 'max_pool', 'predictions'] as const;

/**
 * blockOf for names built as `<block>_<rest>`: the first pattern that matches gives the block,
 * names listed in `top` (and TOP_LAYERS) go to 'top', everything else (pads, pools between blocks)
 * returns null so it joins the block before it.
 */
export function blockMatcher(patterns: RegExp[], top: readonly string[]): (layerName: string) => string | null {
  const topNames = new Set<string>([...TOP_LAYERS, ...top]);
  return (layerName: string) => {
    if (topNames.has(layerName)) return 'top';
    for (const p of patterns) {
      const m = p.exec(layerName);
      if (m) return m[1] ?? m[0];
    }
    return null;
  };
}

/** Total, trainable and non-trainable parameter counts, Keras-style (BN moving stats are non-trainable). */
export function paramCounts(model: tf.LayersModel): { total: number; trainable: number; nonTrainable: number } {
  const size = (ws: tf.LayerVariable[]) => ws.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  const trainable = size(model.trainableWeights);
  const nonTrainable = size(model.nonTrainableWeights);
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}
