// SPDX-License-Identifier: MIT
// Registers the kernels that tfjs-backend-wasm lacks for training (see ./wasm-grads/). Only
// backendName 'wasm' is touched, so the cpu and tensorflow backends keep their own kernels.
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import { WASM_TRAINING_KERNELS } from './wasm-grads/index';

/**
 * Registers every kernel in WASM_TRAINING_KERNELS for the wasm backend, replacing a kernel of
 * the same name that the backend ships. Idempotent. Call it before `tf.setBackend('wasm')`
 * (the kernels need no setup, so calling it later works too).
 * @returns the names of the kernels now provided by this module.
 */
export function registerWasmTrainingKernels(): string[] {
  for (const config of WASM_TRAINING_KERNELS) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing) unregisterKernel(config.kernelName, config.backendName);
    registerKernel(config);
  }
  return WASM_TRAINING_KERNELS.map((k) => k.kernelName);
}
