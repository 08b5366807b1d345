// SPDX-License-Identifier: MIT
// BatchNormalization in training mode as two TensorFlow ops on the 'tensorflow' backend:
// FusedBatchNormV3 (is_training) forward and FusedBatchNormGradV3 backward, as Keras on TensorFlow
// runs it. tfjs-layers instead builds it from moments + batchNorm, whose gradients are ~20
// elementwise ops over the whole activation per layer: the bulk of a MobileNetV2 training step.
import * as tf from '@tensorflow/tfjs';
import { bnInternals, updateMovingStats } from './bn-internals';
import { floatT, type NodeBackend } from './node-ops';

const KERNEL = 'TsFusedBatchNormTrain';

function attrs(b: NodeBackend, epsilon: number): unknown[] {
  const { binding: n } = b;
  return [
    floatT(b),
    { name: 'U', type: n.TF_ATTR_TYPE, value: n.TF_FLOAT },
    { name: 'epsilon', type: n.TF_ATTR_FLOAT, value: epsilon },
    { name: 'data_format', type: n.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: n.TF_ATTR_BOOL, value: true },
  ];
}

let registered = false;

/** Registers the kernel (tensorflow backend only) and its gradient. Idempotent. */
export function registerNativeBatchNorm(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, attrs: a, backend }) => {
      const { x, scale, offset } = inputs as { x: tf.Tensor; scale: tf.Tensor; offset: tf.Tensor };
      const b = backend as unknown as NodeBackend;
      const empty = tf.tensor1d([]);
      // Outputs: y, batch_mean, batch_variance (Bessel-corrected), reserve_space_1..3.
      const out = b.executeMultipleOutputs('FusedBatchNormV3', attrs(b, (a as { epsilon: number }).epsilon), [x, scale, offset, empty, empty], 6);
      empty.dispose();
      return out as unknown as tf.TensorInfo[];
    },
  });
  tf.registerGradient({
    kernelName: KERNEL,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, false, false, true, true, true],
    gradFunc: (dy, saved, a) => {
      const [x, scale, r1, r2, r3] = saved;
      const dY = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
      // One backward op gives all three gradients, so it runs here, in the node's own scope: the
      // tape calls each input's thunk in a separate scope, which would free the other two.
      const b = tf.backend() as unknown as NodeBackend;
      const [dx, dScale, dOffset] = b.executeMultipleOutputs('FusedBatchNormGradV3', attrs(b, (a as { epsilon: number }).epsilon), [dY, x, scale, r1, r2, r3], 5);
      return { x: () => dx, scale: () => dScale, offset: () => dOffset };
    },
  });
}

/** Whether `layer` can take the fused path: float32 NHWC input, channels-last BN, on 'tensorflow'. */
export function canFuseBatchNorm(layer: tf.layers.Layer, x: tf.Tensor): boolean {
  if (!registered || tf.getBackend() !== 'tensorflow' || layer.getClassName() !== 'BatchNormalization') return false;
  const bn = bnInternals(layer);
  return x.rank === 4 && x.dtype === 'float32' && (bn.axis === -1 || bn.axis === 3) && x.size / (x.shape[3] ?? 1) > 1;
}

/** Normalises with the batch's statistics and updates the moving ones, as Keras does in training. */
export function fusedBatchNormTraining(layer: tf.layers.Layer, x: tf.Tensor4D): tf.Tensor {
  const bn = bnInternals(layer);
  const depth = x.shape[3];
  const scale = bn.gamma ? bn.gamma.read() : tf.ones([depth]);
  const offset = bn.beta ? bn.beta.read() : tf.zeros([depth]);
  const [y, mean, varUnbiased, ...rest] = tf.engine().runKernel(KERNEL, { x, scale, offset }, { epsilon: bn.epsilon }) as tf.Tensor[];
  // Keras and tfjs-layers move the averages with the biased batch variance; TF returns n/(n-1) of it.
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  tf.tidy(() => updateMovingStats(bn, mean, tf.mul(varUnbiased, (n - 1) / n)));
  // reserve spaces stay alive while the tape holds them for the backward pass.
  void rest;
  return y;
}
