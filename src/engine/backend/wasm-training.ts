// SPDX-License-Identifier: MIT
// Registers the gradients and kernels that tfjs-backend-wasm lacks for training.
// Filled in by the wasm-training work (one kernel per file under ./wasm-grads/).
export function registerWasmTrainingKernels(): void {}
