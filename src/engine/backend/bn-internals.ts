// SPDX-License-Identifier: MIT
// The parts of a tfjs BatchNormalization layer that our training-mode implementations read
// (private fields in tfjs-layers 4.22), and the moving-average update they share with Keras.
import * as tf from '@tensorflow/tfjs';

export interface BnInternals {
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  momentum: number;
  epsilon: number;
  axis: number;
}

export function bnInternals(layer: tf.layers.Layer): BnInternals {
  return layer as unknown as BnInternals;
}

/** moving = moving - (moving - batch) * (1 - momentum), for the mean and the (biased) variance. */
export function updateMovingStats(bn: BnInternals, mean: tf.Tensor, variance: tf.Tensor): void {
  tf.tidy(() => {
    const decay = 1 - bn.momentum;
    const m = bn.movingMean.read();
    const v = bn.movingVariance.read();
    bn.movingMean.write(tf.sub(m, tf.mul(tf.sub(m, mean), decay)));
    bn.movingVariance.write(tf.sub(v, tf.mul(tf.sub(v, variance), decay)));
  });
}
