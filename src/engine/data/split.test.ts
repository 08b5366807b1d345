// SPDX-License-Identifier: MIT
import { describe, it, expect } from 'vitest';
import { allocate, splitDataset, type SplitItem } from './split';
import { createRng, deriveSeed } from './rng';

function items(counts: Record<string, number>): SplitItem[] {
  return Object.entries(counts).flatMap(([c, n]) => Array.from({ length: n }, (_, i) => ({ path: `${c}/${i}.png`, className: c })));
}

describe('allocate', () => {
  it('rounds fractions, keeps one per split where possible and never empties train', () => {
    expect(allocate(100, 0.2, 0.1)).toEqual({ validation: 20, test: 10 });
    expect(allocate(3, 0.2, 0)).toEqual({ validation: 1, test: 0 });
    expect(allocate(3, 0.2, 0.1)).toEqual({ validation: 1, test: 1 });
    expect(allocate(2, 0.2, 0.1)).toEqual({ validation: 1, test: 0 });
    expect(allocate(1, 0.5, 0.4)).toEqual({ validation: 0, test: 0 });
    expect(allocate(0, 0.2, 0.1)).toEqual({ validation: 0, test: 0 });
  });
});

describe('splitDataset', () => {
  it('splits each class by the fractions, disjoint and complete', () => {
    const all = items({ a: 50, b: 30, c: 7 });
    const r = splitDataset(all, { validation: 0.2, test: 0.1, seed: 1 });
    expect(r.classes).toEqual(['a', 'b', 'c']);
    expect(r.counts).toEqual({
      a: { train: 35, validation: 10, test: 5, total: 50 },
      b: { train: 21, validation: 6, test: 3, total: 30 },
      c: { train: 5, validation: 1, test: 1, total: 7 },
    });
    const union = [...r.train, ...r.validation, ...r.test];
    expect(new Set(union).size).toBe(87);
    expect(union.sort()).toEqual(all.map((i) => i.path).sort());
  });

  it('is deterministic for a seed, differs across seeds, and ignores input order', () => {
    const all = items({ a: 40, b: 40 });
    const r1 = splitDataset(all, { seed: 7 });
    const r2 = splitDataset([...all].reverse(), { seed: 7 });
    const r3 = splitDataset(all, { seed: 8 });
    expect(r2.validation).toEqual(r1.validation);
    expect(r3.validation).not.toEqual(r1.validation);
    // Adding a class leaves the other classes' assignment alone.
    const r4 = splitDataset(items({ a: 40, b: 40, z: 5 }), { seed: 7 });
    expect(r4.validation.filter((p) => !p.startsWith('z/'))).toEqual(r1.validation);
  });

  it('computes sklearn balanced class weights from training counts', () => {
    const r = splitDataset(items({ a: 100, b: 25 }), { validation: 0.2, seed: 3 });
    // train: a 80, b 20 → 100 / (2·80) = 0.625, 100 / (2·20) = 2.5
    expect(r.classWeights.a).toBeCloseTo(0.625, 10);
    expect(r.classWeights.b).toBeCloseTo(2.5, 10);
  });

  it('warns about tiny classes, missing validation, imbalance and a single class', () => {
    const r = splitDataset(items({ big: 200, tiny: 1, small: 4 }), { validation: 0.2 });
    const codes = r.warnings.map((w) => `${w.code}:${w.className ?? ''}`);
    expect(codes).toContain('FEW_IMAGES:tiny');
    expect(codes).toContain('FEW_IMAGES:small');
    expect(codes).toContain('NO_VALIDATION:tiny');
    expect(codes).not.toContain('FEW_IMAGES:big');
    const imb = r.warnings.find((w) => w.code === 'IMBALANCE');
    expect(imb?.message).toMatch(/"big" has 160 training images, "tiny" 1 \(160\.0×\)/);
    expect(splitDataset(items({ only: 20 })).warnings.map((w) => w.code)).toContain('ONE_CLASS');
    expect(splitDataset(items({ a: 30, b: 20 })).warnings).toEqual([]);
  });

  it('keeps the user’s split folders and carves a missing validation split from train', () => {
    const user: SplitItem[] = [
      ...items({ a: 10, b: 10 }).map((i) => ({ ...i, split: 'train' as const })),
      { path: 'test/a/x.png', className: 'a', split: 'test' },
      { path: 'test/b/y.png', className: 'b', split: 'test' },
    ];
    const r = splitDataset(user, { validation: 0.2, test: 0.3, seed: 2 });
    expect(r.test.sort()).toEqual(['test/a/x.png', 'test/b/y.png']);
    expect(r.counts.a).toEqual({ train: 8, validation: 2, test: 1, total: 11 });
    const ignored = splitDataset(user, { validation: 0.2, test: 0.3, respectUserSplits: false });
    expect(ignored.counts.a.test).toBe(3);
  });

  it('rejects impossible fractions with the value received', () => {
    expect(() => splitDataset(items({ a: 3 }), { validation: 1.2 })).toThrow(/validation .*Received: 1.2/);
    expect(() => splitDataset(items({ a: 3 }), { validation: 0.6, test: 0.4 })).toThrow(/Received: 0.6 \+ 0.4/);
  });
});

describe('rng', () => {
  it('repeats for a seed and spreads values evenly', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 10_000 }, () => a.next());
    expect(Array.from({ length: 10_000 }, () => b.next())).toEqual(xs);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed('1')).not.toBe(deriveSeed(1));
  });
});
