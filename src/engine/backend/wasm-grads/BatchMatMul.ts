// SPDX-License-Identifier: MIT
// Replaces the wasm backend's BatchMatMul, whose transposeA/transposeB paths are plain loops:
// 10-30x slower than its untransposed XNNPACK path on the matrix gradients of Dense layers and
// 1x1 convolutions (every MatMul gradient multiplies by a transposed operand). Transposing
// explicitly first and multiplying untransposed through _FusedMatMul (same XNNPACK code, no bias,
// linear activation) measured faster on every shape tried.
import { BatchMatMul, broadcast_util, util, type BatchMatMulAttrs, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { composed, WASM, type WasmKernelScope } from './compose';

function as3d(scope: WasmKernelScope, t: TensorInfo, transpose: boolean): TensorInfo {
  const rank = t.shape.length;
  const shape3 = [util.sizeFromShape(t.shape.slice(0, -2)), t.shape[rank - 2], t.shape[rank - 1]];
  const t3 = scope.run('Reshape', { x: t }, { shape: shape3 });
  return transpose ? scope.run('Transpose', { x: t3 }, { perm: [0, 2, 1] }) : t3;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') {
      throw new AppError('UNSUPPORTED', `BatchMatMul on wasm supports float32 only. Received ${a.dtype} x ${b.dtype}. Cast the operands to float32.`, { a: a.dtype, b: b.dtype });
    }
    const ra = a.shape.length;
    const rb = b.shape.length;
    const inner = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const innerB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    if (inner !== innerB) {
      throw new AppError('INVALID_ARGUMENT', `Error in matMul: inner shapes (${inner}) and (${innerB}) of tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`, { a: a.shape, b: b.shape });
    }
    const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const outShape = [...outer, transposeA ? a.shape[ra - 1] : a.shape[ra - 2], transposeB ? b.shape[rb - 2] : b.shape[rb - 1]];
    return composed(backend, (scope) => {
      const product = scope.run('_FusedMatMul', { a: as3d(scope, a, transposeA), b: as3d(scope, b, transposeB) }, { transposeA: false, transposeB: false, activation: 'linear' });
      return scope.run('Reshape', { x: product }, { shape: outShape });
    });
  },
};
