// SPDX-License-Identifier: MIT
// Faster kernels for the 'tensorflow' backend where tfjs-node 4.22's own are built from many ops.
// Only backendName 'tensorflow' is touched; results are the same as the kernels they replace.
import * as tf from '@tensorflow/tfjs';

interface NodeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

let registered = false;

/**
 * Step (the gradient mask of Relu, Relu6 and clipByValue-based layers) is six ops in tfjs-node
 * (isNaN, greater, ones, fill, where, select) and was the single costliest kernel of a MobileNetV2
 * training step. For alpha 0 it is sign(relu(x)): 1 where x > 0, 0 where x <= 0, NaN kept.
 */
export function registerNativeKernels(): void {
  if (registered) return;
  registered = true;
  const original = tf.getKernel('Step', 'tensorflow');
  if (!original) return;
  tf.unregisterKernel('Step', 'tensorflow');
  tf.registerKernel({
    kernelName: 'Step',
    backendName: 'tensorflow',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.Tensor };
      const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha ?? 0;
      if (alpha !== 0 || x.dtype !== 'float32') return original.kernelFunc(args);
      const backend = args.backend as unknown as NodeBackend;
      const attrs = [{ name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT }];
      const relu = backend.executeSingleOutput('Relu', attrs, [x]);
      const out = backend.executeSingleOutput('Sign', attrs, [relu]);
      relu.dispose();
      return out as unknown as tf.TensorInfo;
    },
  });
}
