// SPDX-License-Identifier: MIT
// Building blocks for training kernels composed of the kernels tfjs-backend-wasm already has.
// Kernel functions are called directly (as the backends do among themselves), not through
// tf ops: that keeps the engine's tape and tensor tracking out of a kernel's insides, and the
// scope frees every intermediate buffer as soon as the kernel is done.
import { backend_util, getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { AppError } from '../../../shared/errors';

export const WASM = 'wasm';

/** Runs wasm kernels and disposes of everything they made except what `keep` hands out. */
export class WasmKernelScope {
  private readonly made: TensorInfo[] = [];

  constructor(private readonly backend: BackendWasm) {}

  run(kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const kernel = getKernel(kernelName, WASM);
    if (!kernel) {
      throw new AppError('BACKEND_UNAVAILABLE', `The wasm backend has no '${kernelName}' kernel, which a training kernel is composed of. Received tfjs-backend-wasm without it; use @tensorflow/tfjs-backend-wasm 4.22.`, { kernelName });
    }
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend });
    const info = Array.isArray(out) ? out[0] : out;
    this.made.push(info);
    return info;
  }

  /** Takes `info` out of the scope so that it outlives `dispose`. */
  keep(info: TensorInfo): TensorInfo {
    const at = this.made.indexOf(info);
    if (at >= 0) this.made.splice(at, 1);
    return info;
  }

  dispose(): void {
    // Reshape shares the buffer and bumps its count, so one disposeData per output is exact.
    for (const info of this.made) this.backend.disposeData(info.dataId);
    this.made.length = 0;
  }
}

/** Runs `body` in a fresh scope and returns its result, freeing every other intermediate. */
export function composed(backend: unknown, body: (scope: WasmKernelScope) => TensorInfo): TensorInfo {
  const scope = new WasmKernelScope(backend as BackendWasm);
  try {
    return scope.keep(body(scope));
  } finally {
    scope.dispose();
  }
}

/**
 * Pads (or, for a negative amount, crops) the two spatial axes of an NHWC tensor in one or two
 * kernel calls. `amounts` is [top, bottom, left, right].
 */
export function padOrCrop(scope: WasmKernelScope, x: TensorInfo, amounts: readonly [number, number, number, number]): TensorInfo {
  const [top, bottom, left, right] = amounts;
  let out = x;
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    const paddings = [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]];
    out = scope.run('PadV2', { x: out }, { paddings, constantValue: 0 });
  }
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [n, h, w, c] = out.shape;
    const begin = [0, Math.max(-top, 0), Math.max(-left, 0), 0];
    const size = [n, h - Math.max(-top, 0) - Math.max(-bottom, 0), w - Math.max(-left, 0) - Math.max(-right, 0), c];
    out = scope.run('Slice', { x: out }, { begin, size });
  }
  return out;
}

/**
 * Spreads the rows and columns of an NHWC tensor `stride` apart with zeros between them
 * (the transposed-convolution input); the result is (h - 1) * sH + 1 by (w - 1) * sW + 1.
 */
export function dilateSpatial(scope: WasmKernelScope, x: TensorInfo, strideH: number, strideW: number): TensorInfo {
  if (strideH === 1 && strideW === 1) return x;
  const [n, h, w, c] = x.shape;
  const r6 = scope.run('Reshape', { x }, { shape: [n, h, 1, w, 1, c] });
  const padded = scope.run('PadV2', { x: r6 }, { paddings: [[0, 0], [0, 0], [0, strideH - 1], [0, 0], [0, strideW - 1], [0, 0]], constantValue: 0 });
  const spread = scope.run('Reshape', { x: padded }, { shape: [n, h * strideH, w * strideW, c] });
  return padOrCrop(scope, spread, [0, -(strideH - 1), 0, -(strideW - 1)]);
}

/** Fails loudly on NCHW, which no wasm convolution kernel supports. */
export function assertChannelsLast(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new AppError('UNSUPPORTED', `${kernelName} on wasm supports dataFormat 'NHWC' only. Received: ${JSON.stringify(dataFormat)}. Build the model with dataFormat 'channelsLast'.`, { kernelName, dataFormat });
  }
}

export { backend_util };
