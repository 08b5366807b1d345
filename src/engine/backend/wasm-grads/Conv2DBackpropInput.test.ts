// SPDX-License-Identifier: MIT
// Each input-gradient element sums at most 7*7*8 = 392 products; as for the filter gradient,
// 1e-4 of the largest reference value is well above float32 re-ordering error (~K*eps = 2.3e-5)
// and far below the order-1 errors of a misplaced tap or padding.
import { Conv2DBackpropInput } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareKernel, convOutSize, type ConvPad } from './compare-backends';

const CASES: { x: number[]; f: number[]; s: number | [number, number]; pad: ConvPad }[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
  { x: [2, 10, 10, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
  { x: [2, 10, 9, 3], f: [3, 3, 3, 5], s: 2, pad: 'valid' },
  { x: [1, 8, 7, 5], f: [1, 1, 5, 6], s: 1, pad: 'valid' },
  { x: [2, 8, 8, 5], f: [1, 1, 5, 6], s: 2, pad: 'valid' },
  { x: [2, 16, 16, 3], f: [7, 7, 3, 8], s: 2, pad: 'same' },
  { x: [2, 11, 9, 4], f: [5, 3, 4, 3], s: [2, 1], pad: 'valid' },
  { x: [2, 9, 9, 2], f: [3, 3, 2, 3], s: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
];

describe('Conv2DBackpropInput on wasm', () => {
  for (const c of CASES) {
    it(`matches cpu for x ${c.x} filter ${c.f} strides ${c.s} pad ${JSON.stringify(c.pad)}`, async () => {
      const stride = Array.isArray(c.s) ? c.s : [c.s, c.s];
      const dy = [c.x[0], convOutSize(c.x, 1, c.f[0], stride[0], c.pad), convOutSize(c.x, 2, c.f[1], stride[1], c.pad), c.f[3]];
      const diff = await compareKernel(Conv2DBackpropInput, { dy, filter: c.f }, { strides: c.s, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x });
      expect(diff.shape).toEqual(c.x);
      expect(diff.cpuShape).toEqual(c.x);
      expect(diff.scale).toBeGreaterThan(0.5);
      expect(diff.maxAbs).toBeLessThan(1e-4 * diff.scale);
    });
  }
});
