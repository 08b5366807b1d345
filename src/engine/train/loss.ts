// SPDX-License-Identifier: MIT
// Keras's categorical cross-entropy on softmax outputs, with label smoothing and class weights.
import * as tf from '@tensorflow/tfjs';

/** Keras backend epsilon: probabilities are clipped to [eps, 1 - eps] before the log. */
const EPSILON = 1e-7;

export interface LossOptions {
  numClasses: number;
  labelSmoothing?: number;
  /** Weight per class; a sample's loss is multiplied by the weight of its true class. */
  classWeights?: readonly number[];
}

/**
 * Mean over the batch of w[y] * CE(smooth(onehot(y)), p), as Keras computes it with
 * `class_weight` (weighted sum divided by the batch size).
 */
export function classificationLoss(labels: tf.Tensor1D, probs: tf.Tensor2D, o: LossOptions): tf.Scalar {
  return tf.tidy(() => {
    const eps = o.labelSmoothing ?? 0;
    let target = tf.oneHot(labels, o.numClasses).toFloat();
    if (eps > 0) target = target.mul(1 - eps).add(eps / o.numClasses);
    const clipped = probs.clipByValue(EPSILON, 1 - EPSILON);
    let perSample = target.mul(clipped.log()).sum(-1).neg();
    if (o.classWeights) perSample = perSample.mul(tf.gather(tf.tensor1d(o.classWeights as number[]), labels));
    return perSample.mean() as tf.Scalar;
  });
}

/** Number of rows whose arg-max equals the label. */
export function correctCount(labels: tf.Tensor1D, probs: tf.Tensor2D): number {
  return tf.tidy(() => probs.argMax(-1).equal(labels.toInt()).sum().dataSync()[0]);
}

/** Keras `compute_class_weight('balanced')`: n / (k * count_c). */
export function balancedClassWeights(counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (c > 0 ? n / (counts.length * c) : 0));
}
