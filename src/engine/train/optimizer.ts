// SPDX-License-Identifier: MIT
// Optimizers with a settable learning rate and a serialisable state. tfjs keeps optimizer
// slots by position in the variable list, so callers must pass the same list in the same order.
import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from './types';

export interface TrainOptimizer {
  name: OptimizerName;
  optimizer: tf.Optimizer;
  setLearningRate(lr: number): void;
}

/** Adam (Keras defaults: beta1 0.9, beta2 0.999, epsilon 1e-7) or SGD with momentum. */
export function createOptimizer(name: OptimizerName, lr: number, momentum = 0.9): TrainOptimizer {
  if (name === 'sgd') {
    const opt = tf.train.momentum(lr, momentum);
    return { name, optimizer: opt, setLearningRate: (v) => opt.setLearningRate(v) };
  }
  const opt = tf.train.adam(lr, 0.9, 0.999, 1e-7);
  // AdamOptimizer reads this.learningRate on every applyGradients call.
  return { name, optimizer: opt, setLearningRate: (v) => ((opt as unknown as { learningRate: number }).learningRate = v) };
}
