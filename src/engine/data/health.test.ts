// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import { classFindings, findSimilarGroups, fixLeakage, type HealthImage } from './health';
import { hashOfThumb, isNearDuplicate, THUMB_H, THUMB_W, thumbDistance, type PerceptualHash } from './phash';
import { splitDataset } from './split';

/** An 18×16 seeded pattern; `noise` adds a fixed ±pattern of that amplitude (a near copy). */
function thumbOf(seed: number, noise = 0, mean = 120): Uint8Array {
  const rgb = new Uint8Array(THUMB_W * THUMB_H * 3);
  for (let i = 0; i < THUMB_W * THUMB_H; i++) {
    const v = mean + 60 * Math.sin(seed * 1.7 + i * (0.5 + seed * 0.37)) + noise * Math.sin(i * 2.3 + 1);
    rgb.fill(Math.max(0, Math.min(255, Math.round(v))), i * 3, i * 3 + 3);
  }
  return rgb;
}
const hashOf = (seed: number, noise = 0, mean = 120): PerceptualHash => hashOfThumb(thumbOf(seed, noise, mean));

const im = (path: string, className: string, sha256: string, hash?: PerceptualHash, side = 96): HealthImage => ({ path, className, sha256, width: side, height: side, ...(hash ? { hash } : {}) });

describe('similar groups', () => {
  it('groups identical bytes of any number, and near copies as pairs, cross-class first', () => {
    expect(isNearDuplicate(hashOf(2), hashOf(2, 4))).toBe(true);
    const groups = findSimilarGroups([
      im('cat/1.png', 'cat', 's1', hashOf(1)),
      im('cat/1-copy.png', 'cat', 's1', hashOf(1)),
      im('dog/1-again.png', 'dog', 's1', hashOf(1)),
      im('cat/2.png', 'cat', 's2', hashOf(2)),
      im('dog/2-small.jpg', 'dog', 's2b', hashOf(2, 4)),
      im('dog/3.png', 'dog', 's3', hashOf(3)),
      im('dog/4.png', 'dog', 's4', hashOf(4)),
    ]);
    expect(groups).toEqual([
      { kind: 'exact', paths: ['cat/1-copy.png', 'cat/1.png', 'dog/1-again.png'], classes: ['cat', 'dog'], crossClass: true },
      { kind: 'near', paths: ['cat/2.png', 'dog/2-small.jpg'], classes: ['cat', 'dog'], crossClass: true },
    ]);
  });

  it('never chains look-alikes: each image is in at most one near pair, the closest', () => {
    // b is near both a and c; a and c are further apart. Transitive grouping would join all three.
    const a = hashOf(6);
    const b = hashOf(6, 5);
    const c = hashOf(6, 11);
    expect([isNearDuplicate(a, b), isNearDuplicate(b, c)]).toEqual([true, true]);
    expect(thumbDistance(a.thumb, b.thumb)).toBeLessThan(thumbDistance(b.thumb, c.thumb));
    const groups = findSimilarGroups([im('x/a.png', 'x', 'a', a), im('x/b.png', 'x', 'b', b), im('x/c.png', 'x', 'c', c)]);
    expect(groups).toEqual([{ kind: 'near', paths: ['x/a.png', 'x/b.png'], classes: ['x'], crossClass: false }]);
  });

  it('matches flat, low-detail (under 32 px, like Fashion-MNIST) and unhashed images only by their bytes', () => {
    const flat = { ...hashOf(7), spread: 3 };
    expect(findSimilarGroups([im('a/1.png', 'a', 'x', flat), im('a/2.png', 'a', 'y', flat), im('a/3.png', 'a', 'z')])).toEqual([]);
    expect(findSimilarGroups([im('a/1.png', 'a', 'x', hashOf(8), 28), im('a/2.png', 'a', 'y', hashOf(8), 28)])).toEqual([]);
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

  it('moves every copy of identical bytes into the earliest split, reports near pairs unmoved, and recounts', () => {
    const inTest = base.test.find((p) => p.startsWith('c0/'))!;
    const inVal = base.validation.find((p) => p.startsWith('c1/'))!;
    const inTrain = base.train.find((p) => p.startsWith('c0/'))!;
    const groups = [{ kind: 'near' as const, paths: [inTest, inTrain], classes: ['c0'], crossClass: false }, { kind: 'exact' as const, paths: [inVal, base.test.find((p) => p.startsWith('c1/'))!], classes: ['c1'], crossClass: false }];
    const { split, leaks } = fixLeakage(base, groups, classOf);
    expect(leaks).toHaveLength(2);
    expect(leaks[0]).toEqual({ kind: 'near', paths: [inTest, inTrain], before: { [inTest]: 'test', [inTrain]: 'train' }, keptIn: 'train', moved: false });
    expect(leaks[1]).toMatchObject({ kind: 'exact', keptIn: 'validation', moved: true });
    const c1Test = base.test.find((p) => p.startsWith('c1/'))!;
    expect(split.validation).toContain(c1Test);
    expect(split.test).not.toContain(c1Test);
    expect(split.test).toContain(inTest);
    expect(split.train.length + split.validation.length + split.test.length).toBe(20);
    expect(split.counts.c1.validation).toBe(base.counts.c1.validation + 1);
    expect(split.counts.c1.test).toBe(base.counts.c1.test - 1);
    expect(split.counts.c0).toEqual(base.counts.c0);
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
