// SPDX-License-Identifier: MIT
// Keras's `Rescaling` (x * scale + offset) with per-channel scale and offset. tfjs's own
// Rescaling is typed for a single number, but EfficientNet's ImageNet build needs
// `Rescaling(scale=[1/sqrt(stddev_r), 1/sqrt(stddev_g), 1/sqrt(stddev_b)])`. Registered under
// the same class name: for a number it computes exactly what tfjs's does.
import * as tf from '@tensorflow/tfjs';
import '../../backend/quiet';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';

export interface RescalingArgs extends LayerArgs {
  /** A number, or one value per channel (last axis). */
  scale: number | number[];
  offset?: number | number[];
}

export class Rescaling extends tf.layers.Layer {
  static className = 'Rescaling';
  readonly scale: number | number[];
  readonly offset: number | number[];

  constructor(args: RescalingArgs) {
    super(args);
    this.scale = Array.isArray(args.scale) ? [...args.scale] : args.scale;
    this.offset = Array.isArray(args.offset) ? [...args.offset] : (args.offset ?? 0);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      let x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x.dtype !== 'float32') x = tf.cast(x, 'float32');
      return tf.add(tf.mul(x, this.scale), this.offset);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}

// Registered where the class is defined (see custom-scale-layer.ts); replaces tfjs's entry,
// which this class extends to per-channel values.
tf.serialization.registerClass(Rescaling);
