// SPDX-License-Identifier: MIT
// Replaces the wasm backend's MaxPoolGrad, which is wrong in tfjs-backend-wasm 4.22: its argmax
// starts from std::numeric_limits<float>::min() (the smallest *positive* float), so a window of
// zeros or negatives - every all-zero window after a ReLU - sends its gradient to element 0 of the
// whole tensor, and ties go to the last maximum. The cpu backend and TensorFlow pick the first
// maximum. This is a plain loop over the wasm heap: pooling gradients are memory-bound, and
// composing an argmax out of wasm kernels would need strided slices, which are slow there.
import { backend_util, MaxPoolGrad, type KernelConfig, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM } from './compose';

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: WASM,
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
    const wasm = backend as BackendWasm;
    const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
    const { top, left } = info.padInfo;
    const out = wasm.makeOutput(input.shape, 'float32');
    // Views are taken after makeOutput: allocating may grow (and so detach) the heap.
    const dx = wasm.typedArrayFromHeap(out) as Float32Array;
    const x = wasm.typedArrayFromHeap(input) as Float32Array;
    const g = wasm.typedArrayFromHeap(dy) as Float32Array;
    dx.fill(0);
    const best = new Float32Array(c);
    const where = new Int32Array(c);
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const h0 = oh * strideHeight - top;
        const hFrom = Math.max(0, h0);
        const hTo = Math.min(inHeight, h0 + filterHeight);
        for (let ow = 0; ow < outWidth; ow++) {
          const w0 = ow * strideWidth - left;
          const wFrom = Math.max(0, w0);
          const wTo = Math.min(inWidth, w0 + filterWidth);
          best.fill(-Infinity);
          where.fill(-1);
          for (let h = hFrom; h < hTo; h++) {
            for (let w = wFrom; w < wTo; w++) {
              const base = ((b * inHeight + h) * inWidth + w) * c;
              for (let ch = 0; ch < c; ch++) {
                const v = x[base + ch];
                if (v > best[ch]) {
                  best[ch] = v;
                  where[ch] = base + ch;
                }
              }
            }
          }
          const dyBase = ((b * outHeight + oh) * outWidth + ow) * c;
          for (let ch = 0; ch < c; ch++) if (where[ch] >= 0) dx[where[ch]] += g[dyBase + ch];
        }
      }
    }
    return out;
  },
};
