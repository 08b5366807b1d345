// SPDX-License-Identifier: MIT
// Keras's `Normalization` layer as it sits at the input of EfficientNet: (x - mean) / sqrt(var).
// tfjs-layers has no such layer. The state is three non-trainable weights in Keras's order,
// `mean`, `variance`, `count` (count is a scalar), so the `.h5` weights load by position.
import * as tf from '@tensorflow/tfjs';
import '../../backend/quiet';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';

export interface NormalizationArgs extends LayerArgs {
  /** The feature axis that keeps its own mean and variance (Keras default -1). */
  axis?: number;
}

// Keras divides by max(sqrt(variance), backend.epsilon()); epsilon() is 1e-7.
const KERAS_EPSILON = 1e-7;

export class Normalization extends tf.layers.Layer {
  static className = 'Normalization';
  readonly axis: number;
  private mean?: tf.LayerVariable;
  private variance?: tf.LayerVariable;

  constructor(args: NormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
  }

  private featureAxis(rank: number): number {
    const a = this.axis < 0 ? rank + this.axis : this.axis;
    if (a < 1 || a >= rank) {
      throw new Error(`Normalization ${this.name}: axis ${this.axis} is outside an input of rank ${rank}. Use -1 for channels_last images.`);
    }
    return a;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const dim = shape[this.featureAxis(shape.length)];
    if (dim == null) throw new Error(`Normalization ${this.name}: the feature axis must have a known size; received shape ${JSON.stringify(shape)}.`);
    this.mean = this.addWeight('mean', [dim], 'float32', tf.initializers.zeros(), undefined, false);
    this.variance = this.addWeight('variance', [dim], 'float32', tf.initializers.ones(), undefined, false);
    // Keras keeps `count` as an int; float32 here keeps every weight of the zoo one dtype for
    // our loaders and exporters. It is only read by `adapt`, which inference never calls.
    this.addWeight('count', [], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const a = this.featureAxis(x.rank);
      const bshape = x.shape.map((d, i) => (i === a ? d : 1));
      const mean = tf.reshape(this.mean!.read(), bshape);
      const std = tf.maximum(tf.sqrt(tf.reshape(this.variance!.read(), bshape)), KERAS_EPSILON);
      return tf.div(tf.sub(tf.cast(x, 'float32'), mean), std);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), axis: this.axis };
  }
}

// Registered where the class is defined (see custom-scale-layer.ts).
tf.serialization.registerClass(Normalization);
