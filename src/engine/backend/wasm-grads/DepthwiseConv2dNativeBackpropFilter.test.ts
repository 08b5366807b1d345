// SPDX-License-Identifier: MIT
// Each filter-gradient element sums at most 2*16*16 = 512 products: 1e-4 of the largest reference
// value bounds float32 re-ordering error (~K*eps = 3e-5) and catches any misplaced tap (order 1).
import { DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareKernel, convOutSize, diffHost, runKernelOn, seededInputs } from './compare-backends';
import { gatherTaps } from './dilated-reference';

type Pad = 'same' | 'valid';
const CASES: { x: number[]; f: number[]; s: number | [number, number]; pad: Pad; d?: number }[] = [
  { x: [2, 9, 9, 4], f: [3, 3, 4, 1], s: 1, pad: 'same' },
  { x: [2, 9, 9, 4], f: [3, 3, 4, 1], s: 2, pad: 'same' },
  { x: [2, 10, 10, 4], f: [3, 3, 4, 1], s: 2, pad: 'same' },
  { x: [2, 10, 9, 3], f: [3, 3, 3, 1], s: 2, pad: 'valid' },
  { x: [2, 9, 9, 4], f: [3, 3, 4, 2], s: 1, pad: 'same' },
  { x: [1, 11, 10, 3], f: [3, 3, 3, 3], s: 2, pad: 'valid' },
  { x: [2, 16, 16, 5], f: [5, 5, 5, 1], s: 2, pad: 'same' },
  { x: [2, 11, 9, 4], f: [5, 3, 4, 2], s: [2, 1], pad: 'valid' },
];

describe('DepthwiseConv2dNativeBackpropFilter on wasm', () => {
  for (const c of CASES) {
    it(`matches cpu for x ${c.x} filter ${c.f} strides ${c.s} pad ${c.pad} dilation ${c.d ?? 1}`, async () => {
      const stride = Array.isArray(c.s) ? c.s : [c.s, c.s];
      const d = c.d ?? 1;
      const dy = [c.x[0], convOutSize(c.x, 1, c.f[0], stride[0], c.pad, d), convOutSize(c.x, 2, c.f[1], stride[1], c.pad, d), c.f[2] * c.f[3]];
      const diff = await compareKernel(DepthwiseConv2dNativeBackpropFilter, { x: c.x, dy }, { strides: c.s, pad: c.pad, dilations: d, filterShape: c.f });
      expect(diff.shape).toEqual(c.f);
      expect(diff.cpuShape).toEqual(c.f);
      expect(diff.scale).toBeGreaterThan(0.5);
      expect(diff.maxAbs).toBeLessThan(1e-4 * diff.scale);
    });
  }
  const DILATED = [
    { x: [2, 12, 12, 3], f: [3, 3, 3, 2], pad: 'same' as const, d: 2 },
    { x: [2, 12, 11, 3], f: [3, 3, 3, 1], pad: 'valid' as const, d: 2 },
    { x: [1, 14, 14, 2], f: [3, 3, 2, 1], pad: 'same' as const, d: 3 },
  ];
  for (const c of DILATED) {
    it(`matches an undilated cpu run with a spread filter for x ${c.x} filter ${c.f} pad ${c.pad} dilation ${c.d}`, async () => {
      const spread = [(c.f[0] - 1) * c.d + 1, (c.f[1] - 1) * c.d + 1, c.f[2], c.f[3]];
      const out = (i: number): number => (c.pad === 'same' ? c.x[i] : c.x[i] - spread[i - 1] + 1);
      const host = seededInputs({ x: c.x, dy: [c.x[0], out(1), out(2), c.f[2] * c.f[3]] }, 5);
      const wasm = await runKernelOn('wasm', DepthwiseConv2dNativeBackpropFilter, host, { strides: 1, pad: c.pad, dilations: c.d, filterShape: c.f });
      const cpu = await runKernelOn('cpu', DepthwiseConv2dNativeBackpropFilter, host, { strides: 1, pad: c.pad, dilations: 1, filterShape: spread });
      const diff = diffHost(wasm, gatherTaps(cpu, c.d, c.f[0], c.f[1]));
      expect(diff.shape).toEqual(c.f);
      expect(diff.scale).toBeGreaterThan(0.5);
      expect(diff.maxAbs).toBeLessThan(1e-4 * diff.scale);
    });
  }
});
