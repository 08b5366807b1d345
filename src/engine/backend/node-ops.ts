// SPDX-License-Identifier: MIT
// What our kernels for the 'tensorflow' backend use of tfjs-node: its backend's calls that run one
// TensorFlow op (not in tfjs's public types), the float32 `T` attribute those ops take, and the
// swap of one of tfjs-node's kernels for ours with the original kept as the fallback.
import * as tf from '@tensorflow/tfjs';

export interface NodeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_FLOAT: number; TF_ATTR_STRING: number; TF_ATTR_BOOL: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
}

/** The attribute `T: float32`. */
export function floatT(b: NodeBackend): { name: string; type: number; value: number } {
  return { name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT };
}

/** Runs TensorFlow op `op` on float32 inputs and returns its one output as a kernel result. */
export function runFloatOp(backend: unknown, op: string, inputs: tf.Tensor[]): tf.TensorInfo {
  const b = backend as NodeBackend;
  return b.executeSingleOutput(op, [floatT(b)], inputs) as unknown as tf.TensorInfo;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];
type KernelResult = ReturnType<tf.KernelFunc>;

/**
 * Replaces tfjs-node's kernel `name` with `kernelFunc`, which gets the original to fall back on.
 * Does nothing when tfjs-node has no such kernel.
 */
export function replaceNodeKernel(name: string, kernelFunc: (args: KernelArgs, original: tf.KernelFunc) => KernelResult): void {
  const original = tf.getKernel(name, 'tensorflow');
  if (!original) return;
  tf.unregisterKernel(name, 'tensorflow');
  tf.registerKernel({ kernelName: name, backendName: 'tensorflow', kernelFunc: (args) => kernelFunc(args, original.kernelFunc) });
}
