// SPDX-License-Identifier: MIT
// Each input-gradient element sums at most 5*5*3 = 75 products: 1e-4 of the largest reference
// value bounds float32 re-ordering error (~K*eps = 5e-6) and catches any misplaced tap (order 1).
import { DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { compareKernel, convOutSize, diffHost, runKernelOn, seededInputs } from './compare-backends';
import { spreadFilter } from './dilated-reference';

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

describe('DepthwiseConv2dNativeBackpropInput on wasm', () => {
  for (const c of CASES) {
    it(`matches cpu for x ${c.x} filter ${c.f} strides ${c.s} pad ${c.pad} dilation ${c.d ?? 1}`, async () => {
      const stride = Array.isArray(c.s) ? c.s : [c.s, c.s];
      const d = c.d ?? 1;
      const dy = [c.x[0], convOutSize(c.x, 1, c.f[0], stride[0], c.pad, d), convOutSize(c.x, 2, c.f[1], stride[1], c.pad, d), c.f[2] * c.f[3]];
      const diff = await compareKernel(DepthwiseConv2dNativeBackpropInput, { dy, filter: c.f }, { strides: c.s, pad: c.pad, dilations: d, inputShape: c.x });
      expect(diff.shape).toEqual(c.x);
      expect(diff.cpuShape).toEqual(c.x);
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
      const host = seededInputs({ filter: c.f }, 5);
      const wide = spreadFilter(host.filter, c.d);
      const out = (i: number): number => (c.pad === 'same' ? c.x[i] : c.x[i] - wide.shape[i - 1] + 1);
      Object.assign(host, seededInputs({ dy: [c.x[0], out(1), out(2), c.f[2] * c.f[3]] }, 9));
      const wasm = await runKernelOn('wasm', DepthwiseConv2dNativeBackpropInput, host, { strides: 1, pad: c.pad, dilations: c.d, inputShape: c.x });
      const cpu = await runKernelOn('cpu', DepthwiseConv2dNativeBackpropInput, { dy: host.dy, filter: wide }, { strides: 1, pad: c.pad, dilations: 1, inputShape: c.x });
      const diff = diffHost(wasm, cpu);
      expect(diff.shape).toEqual(c.x);
      expect(diff.scale).toBeGreaterThan(0.5);
      expect(diff.maxAbs).toBeLessThan(1e-4 * diff.scale);
    });
  }
});
