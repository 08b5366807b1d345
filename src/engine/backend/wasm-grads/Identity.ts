// SPDX-License-Identifier: MIT
// Replaces the wasm backend's Identity, which copies its input: a MobileNetV2 training step at
// 224 px runs ~800 Identity kernels per image (tfjs's customGrad and gradient plumbing), copying
// ~370 MB per image. Sharing the buffer with a reference count is what the cpu backend does and
// what wasm's own Reshape does; no tfjs kernel writes into its input, so sharing is safe.
import { Identity, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM } from './compose';

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: WASM,
  kernelFunc: ({ inputs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  },
};
