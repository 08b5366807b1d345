// SPDX-License-Identifier: MIT
// BatchNormalization in training mode for layers built with scale=false or center=false
// (InceptionV3 and InceptionResNetV2 use scale=False, as Keras builds them). tfjs-layers 4.22
// reads `this.gamma` unconditionally in training mode (layers/normalization.js), so such a layer
// crashes on every backend; this computes the same thing with the optional parts left out.
import * as tf from '@tensorflow/tfjs';
import { bnInternals, updateMovingStats } from '../backend/bn-internals';
import '../backend/quiet';

/** True for a BatchNormalization layer that tfjs cannot run in training mode. */
export function needsOwnBatchNorm(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const bn = bnInternals(layer);
  return bn.gamma == null || bn.beta == null;
}

/** Normalises with the batch's statistics and updates the moving ones, as Keras does in training. */
export function batchNormTraining(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const bn = bnInternals(layer);
  const channelAxis = bn.axis < 0 ? x.rank + bn.axis : bn.axis;
  const reduce = [...Array(x.rank).keys()].filter((a) => a !== channelAxis);
  const { mean, variance } = tf.moments(x, reduce);
  // Constant ones/zeros stand in for the missing parts: tfjs's batchNorm gradient saves its scale
  // input, and an absent one breaks the backward pass.
  const offset = bn.beta ? bn.beta.read() : tf.zerosLike(mean);
  const scale = bn.gamma ? bn.gamma.read() : tf.onesLike(mean);
  const y = tf.batchNorm(x, mean, variance, offset, scale, bn.epsilon);
  updateMovingStats(bn, mean, variance);
  return y;
}
