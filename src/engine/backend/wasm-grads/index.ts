// SPDX-License-Identifier: MIT
// Every training kernel for the wasm backend, listed by hand (as tfjs register_all_kernels does);
// importing this file registers nothing.
import type { KernelConfig } from '@tensorflow/tfjs';
import { batchMatMulConfig } from './BatchMatMul';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput';
import { identityConfig } from './Identity';
import { maxPoolGradConfig } from './MaxPoolGrad';
import { tileConfig } from './Tile';

/**
 * Kernels for backendName 'wasm'. BatchMatMul, Conv2DBackpropInput, Identity, MaxPoolGrad and
 * Tile replace the backend's own (MaxPoolGrad because it is wrong, the others because they are
 * slow; each file says by how much).
 */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [
  batchMatMulConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  identityConfig,
  maxPoolGradConfig,
  tileConfig,
];
