// SPDX-License-Identifier: MIT
// Each output element sums at most 300 products of values in [-1, 1): float32 re-ordering error
// is bounded by ~K*eps = 2e-5 of the magnitudes, so 1e-4 of the largest value is safe, while a
// wrong transpose or batch broadcast gives errors of order 1.
import { BatchMatMul } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareKernel } from './compare-backends';

const CASES: { a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [
  { a: [1, 7, 5], b: [1, 5, 3], tA: false, tB: false },
  { a: [1, 5, 7], b: [1, 5, 3], tA: true, tB: false },
  { a: [1, 7, 5], b: [1, 3, 5], tA: false, tB: true },
  { a: [2, 5, 7], b: [2, 3, 5], tA: true, tB: true },
  { a: [3, 4, 6], b: [1, 6, 2], tA: false, tB: false },
  { a: [1, 6, 4], b: [3, 2, 6], tA: true, tB: true },
  { a: [300, 40], b: [300, 24], tA: true, tB: false },
  { a: [2, 3, 8, 9], b: [2, 3, 10, 9], tA: false, tB: true },
];

describe('BatchMatMul on wasm', () => {
  for (const c of CASES) {
    it(`matches cpu for ${c.a} x ${c.b} transposeA ${c.tA} transposeB ${c.tB}`, async () => {
      const diff = await compareKernel(BatchMatMul, { a: c.a, b: c.b }, { transposeA: c.tA, transposeB: c.tB });
      expect(diff.shape).toEqual(diff.cpuShape);
      expect(diff.scale).toBeGreaterThan(0.5);
      expect(diff.maxAbs).toBeLessThan(1e-4 * diff.scale);
    });
  }
});
