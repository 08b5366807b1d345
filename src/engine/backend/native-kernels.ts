// SPDX-License-Identifier: MIT
// Faster kernels for the 'tensorflow' backend where tfjs-node 4.22's own are built from many ops.
// Only backendName 'tensorflow' is touched; results are the same as the kernels they replace.
import * as tf from '@tensorflow/tfjs';
import { replaceNodeKernel, runFloatOp } from './node-ops';

let registered = false;

/**
 * Step (the gradient mask of Relu, Relu6 and clipByValue-based layers) is six ops in tfjs-node
 * (isNaN, greater, ones, fill, where, select) and was the single costliest kernel of a MobileNetV2
 * training step. For alpha 0 it is sign(relu(x)): 1 where x > 0, 0 where x <= 0, NaN kept.
 */
export function registerNativeKernels(): void {
  if (registered) return;
  registered = true;
  registerClipByValue();
  replaceNodeKernel('Step', (args, original) => {
    const { x } = args.inputs as { x: tf.Tensor };
    const alpha = (args.attrs as { alpha?: number } | undefined)?.alpha ?? 0;
    if (alpha !== 0 || x.dtype !== 'float32') return original(args);
    const relu = runFloatOp(args.backend, 'Relu', [x]) as unknown as tf.Tensor;
    const out = runFloatOp(args.backend, 'Sign', [relu]);
    relu.dispose();
    return out;
  });
}

/**
 * clipByValue (the second half of tfjs-layers' ReLU(max_value=6), MobileNet's activation at every
 * block) is minimum + maximum with two scalar uploads in tfjs-node: 40% of a MobileNetV2 inference.
 * clip(x, 0, 6) is exactly TensorFlow's Relu6 op; other bounds use its ClipByValue op.
 */
function registerClipByValue(): void {
  replaceNodeKernel('ClipByValue', (args, original) => {
    const { x } = args.inputs as { x: tf.Tensor };
    const { clipValueMin: lo, clipValueMax: hi } = args.attrs as { clipValueMin: number; clipValueMax: number };
    if (x.dtype !== 'float32') return original(args);
    if (lo === 0 && hi === 6) return runFloatOp(args.backend, 'Relu6', [x]);
    const min = tf.scalar(lo);
    const max = tf.scalar(hi);
    const out = runFloatOp(args.backend, 'ClipByValue', [x, min, max]);
    min.dispose();
    max.dispose();
    return out;
  });
}

const RELU6 = 'TsRelu6';
let relu6Registered = false;

/**
 * ReLU(max_value=6), MobileNet's activation, as TensorFlow's Relu6 and Relu6Grad ops. tfjs-layers
 * runs it as relu then clipByValue, whose gradients (Step, GreaterEqual, LessEqual, LogicalAnd,
 * ZerosLike, Select, two Multiply) cost about a third of a MobileNetV2 training step.
 */
export function registerNativeRelu6(): void {
  if (relu6Registered) return;
  relu6Registered = true;
  tf.registerKernel({
    kernelName: RELU6,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => runFloatOp(backend, 'Relu6', [(inputs as { x: tf.Tensor }).x]),
  });
  tf.registerGradient({
    kernelName: RELU6,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      // Relu6Grad accepts the op's output as well as its input ("features").
      const [y] = saved;
      return { x: () => runFloatOp(tf.backend(), 'Relu6Grad', [dy as tf.Tensor, y]) as unknown as tf.Tensor };
    },
  });
}

/** A ReLU layer that is exactly relu6 (no negative slope or threshold), on 'tensorflow'. */
export function canFuseRelu6(layer: tf.layers.Layer, x: tf.Tensor): boolean {
  if (!relu6Registered || layer.getClassName() !== 'ReLU' || x.dtype !== 'float32' || tf.getBackend() !== 'tensorflow') return false;
  const l = layer as unknown as { maxValue?: number; negativeSlope?: number; threshold?: number };
  return l.maxValue === 6 && !l.negativeSlope && !l.threshold;
}

export function fusedRelu6(x: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(RELU6, { x }) as tf.Tensor;
}
