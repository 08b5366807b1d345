// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import { classFindings, findSimilarGroups, fixLeakage, type HealthImage } from './health';
import { dhashOfThumb, type PerceptualHash } from './phash';
import { splitDataset } from './split';

/** A 9×8 thumbnail hash from a seeded gradient pattern; `flip` flips that many bits of the pattern. */
function hashOf(seed: number, flip = 0, mean = 120): PerceptualHash {
  const rgb = new Uint8Array(72 * 3);
  for (let i = 0; i < 72; i++) rgb.fill(Math.round(mean + 60 * Math.sin(seed * 1.7 + i * (0.5 + seed * 0.37))), i * 3, i * 3 + 3);
  const h = dhashOfThumb(rgb);
  if (!flip) return h;
  const bits = BigInt(`0x${h.dhash}`) ^ ((1n << BigInt(flip)) - 1n);
  return { ...h, dhash: bits.toString(16).padStart(16, '0') };
}

const im = (path: string, className: string, sha256: string, hash?: PerceptualHash): HealthImage => ({ path, className, sha256, ...(hash ? { hash } : {}) });

describe('similar groups', () => {
  it('groups exact and near duplicates transitively, cross-class first', () => {
    const groups = findSimilarGroups([
      im('cat/1.png', 'cat', 's1', hashOf(1)),
      im('cat/1-copy.png', 'cat', 's1', hashOf(1)),
      im('cat/2.png', 'cat', 's2', hashOf(2)),
      im('cat/2-small.jpg', 'cat', 's2b', hashOf(2, 6)),
      im('dog/2-again.jpg', 'dog', 's2c', hashOf(2, 12)),
      im('dog/3.png', 'dog', 's3', hashOf(3)),
      im('dog/4.png', 'dog', 's4', hashOf(4)),
    ]);
    expect(groups).toEqual([
      // 2-again is 12 bits from 2 but 6 from 2-small: joined through it.
      { kind: 'near', paths: ['cat/2-small.jpg', 'cat/2.png', 'dog/2-again.jpg'], classes: ['cat', 'dog'], crossClass: true },
      { kind: 'exact', paths: ['cat/1-copy.png', 'cat/1.png'], classes: ['cat'], crossClass: false },
    ]);
  });

  it('matches flat images and unhashed images only by their bytes', () => {
    const flat = { dhash: '0000000000000000', mean: [200, 20, 20] as [number, number, number], spread: 3 };
    expect(findSimilarGroups([im('a/1.png', 'a', 'x', flat), im('a/2.png', 'a', 'y', flat), im('a/3.png', 'a', 'z')])).toEqual([]);
    expect(findSimilarGroups([im('a/1.png', 'a', 'x'), im('b/1.png', 'b', 'x')])).toEqual([{ kind: 'exact', paths: ['a/1.png', 'b/1.png'], classes: ['a', 'b'], crossClass: true }]);
  });

  it('keeps near duplicates of different colour apart (dHash alone is blind to hue)', () => {
    expect(findSimilarGroups([im('a/1.png', 'a', 'x', hashOf(5, 0, 80)), im('a/2.png', 'a', 'y', hashOf(5, 0, 180))])).toEqual([]);
  });
});

describe('leakage', () => {
  const items = Array.from({ length: 20 }, (_, i) => ({ path: `c${i % 2}/${String(i).padStart(2, '0')}.png`, className: `c${i % 2}` }));
  const classOf = new Map(items.map((i) => [i.path, i.className]));
  const base = splitDataset(items, { validation: 0.2, test: 0.2, seed: 3 });

  it('moves every member of a group that spans splits into the earliest split and recounts', () => {
    const inTest = base.test.find((p) => p.startsWith('c0/'))!;
    const inVal = base.validation.find((p) => p.startsWith('c1/'))!;
    const inTrain = base.train.find((p) => p.startsWith('c0/'))!;
    const groups = [{ kind: 'near' as const, paths: [inTest, inTrain], classes: ['c0'], crossClass: false }, { kind: 'exact' as const, paths: [inVal, base.test.find((p) => p.startsWith('c1/'))!], classes: ['c1'], crossClass: false }];
    const { split, leaks } = fixLeakage(base, groups, classOf);
    expect(leaks).toHaveLength(2);
    expect(leaks[0]).toEqual({ kind: 'near', paths: [inTest, inTrain], before: { [inTest]: 'test', [inTrain]: 'train' }, keptIn: 'train' });
    expect(leaks[1].keptIn).toBe('validation');
    expect(split.train).toContain(inTest);
    expect(split.test).not.toContain(inTest);
    expect(split.train.length + split.validation.length + split.test.length).toBe(20);
    expect(split.counts.c0.train).toBe(base.counts.c0.train + 1);
    expect(split.counts.c0.test).toBe(base.counts.c0.test - 1);
    expect(split.classWeights.c0 * split.counts.c0.train + split.classWeights.c1 * split.counts.c1.train).toBeCloseTo(split.train.length, 9);
  });

  it('only reports when asked not to fix, and leaves groups within one split alone', () => {
    const two = base.train.slice(0, 2);
    expect(fixLeakage(base, [{ kind: 'exact', paths: two, classes: ['c0', 'c1'], crossClass: true }], classOf).leaks).toEqual([]);
    const g = [{ kind: 'exact' as const, paths: [base.train[0], base.test[0]], classes: ['c0'], crossClass: false }];
    const r = fixLeakage(base, g, classOf, false);
    expect(r.leaks).toHaveLength(1);
    expect(r.split).toBe(base);
  });
});

describe('class findings', () => {
  it('flags tiny and strongly imbalanced classes', () => {
    expect(classFindings({ big: 200, mid: 30, tiny: 4 }).map((f) => [f.code, f.className])).toEqual([
      ['TINY_CLASS', 'tiny'],
      ['IMBALANCED', 'tiny'],
    ]);
    expect(classFindings({ a: 12, b: 15 })).toEqual([]);
  });
});
