// SPDX-License-Identifier: MIT
// Dataset health: groups of identical or near-identical images, leakage of such a group across
// train/validation/test (a copy in test of an image the model trained on inflates every metric),
// and the fix: every member of a group goes to one split. Tiny and imbalanced classes are flagged.
import { FLAT_SPREAD, isNearDuplicate, type PerceptualHash } from './phash';
import type { SplitResult } from './split';
import type { SplitName } from './types';

export interface HealthImage {
  path: string;
  className: string;
  sha256: string;
  /** Missing when the image could not be hashed; it is then matched by bytes only. */
  hash?: PerceptualHash;
}

export interface SimilarGroup {
  /** `exact`: every member has the same bytes; `near`: at least one member only looks the same. */
  kind: 'exact' | 'near';
  paths: string[];
  classes: string[];
  crossClass: boolean;
}

export interface Leak {
  kind: SimilarGroup['kind'];
  paths: string[];
  /** Where the split put each member before the fix. */
  before: Record<string, SplitName>;
  /** The split every member is in after the fix (the earliest of train, validation, test present). */
  keptIn: SplitName;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function unionFind(n: number): { find: (i: number) => number; union: (a: number, b: number) => void } {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  return { find, union: (a, b) => void (parent[find(a)] = find(b)) };
}

/**
 * Groups exact duplicates (same sha256) and near duplicates (perceptual hash within
 * NEAR_DISTANCE bits, see phash.ts), transitively. All pairs are compared: about 50 million
 * comparisons for 10,000 images, well under a second.
 * @returns groups of two or more, cross-class groups first, then by first path.
 */
export function findSimilarGroups(images: readonly HealthImage[]): SimilarGroup[] {
  const uf = unionFind(images.length);
  const bySha = new Map<string, number>();
  images.forEach((im, i) => {
    const j = bySha.get(im.sha256);
    if (j === undefined) bySha.set(im.sha256, i);
    else uf.union(i, j);
  });
  const hashed = images.map((im, i) => ({ i, h: im.hash })).filter((x): x is { i: number; h: PerceptualHash } => !!x.h && x.h.spread >= FLAT_SPREAD);
  for (let a = 0; a < hashed.length; a++) {
    for (let b = a + 1; b < hashed.length; b++) {
      if (isNearDuplicate(hashed[a].h, hashed[b].h)) uf.union(hashed[a].i, hashed[b].i);
    }
  }
  const members = new Map<number, number[]>();
  images.forEach((_, i) => {
    const r = uf.find(i);
    const list = members.get(r);
    if (list) list.push(i);
    else members.set(r, [i]);
  });
  const groups: SimilarGroup[] = [];
  for (const list of members.values()) {
    if (list.length < 2) continue;
    const ims = list.map((i) => images[i]);
    const classes = [...new Set(ims.map((im) => im.className))].sort(cmp);
    groups.push({
      kind: ims.every((im) => im.sha256 === ims[0].sha256) ? 'exact' : 'near',
      paths: ims.map((im) => im.path).sort(cmp),
      classes,
      crossClass: classes.length > 1,
    });
  }
  return groups.sort((a, b) => Number(b.crossClass) - Number(a.crossClass) || cmp(a.paths[0], b.paths[0]));
}

const ORDER: readonly SplitName[] = ['train', 'validation', 'test'];

/**
 * Finds groups whose members fell into different splits and, unless `fix` is false, moves every
 * member to the earliest split among them (train before validation before test), so validation
 * and test only hold pictures the model never trained on. Counts and class weights are recomputed.
 */
export function fixLeakage(split: SplitResult, groups: readonly SimilarGroup[], classOf: ReadonlyMap<string, string>, fix = true): { split: SplitResult; leaks: Leak[] } {
  const where = new Map<string, SplitName>();
  for (const s of ORDER) for (const p of split[s]) where.set(p, s);
  const leaks: Leak[] = [];
  const moveTo = new Map<string, SplitName>();
  for (const g of groups) {
    const before: Record<string, SplitName> = {};
    for (const p of g.paths) {
      const s = where.get(p);
      if (s) before[p] = s;
    }
    const present = new Set(Object.values(before));
    if (present.size < 2) continue;
    const keptIn = ORDER.find((s) => present.has(s))!;
    leaks.push({ kind: g.kind, paths: Object.keys(before), before, keptIn });
    if (fix) for (const p of Object.keys(before)) if (before[p] !== keptIn) moveTo.set(p, keptIn);
  }
  if (!moveTo.size) return { split, leaks };
  const out: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  for (const s of ORDER) for (const p of split[s]) if (!moveTo.has(p)) out[s].push(p);
  for (const [p, s] of moveTo) out[s].push(p);
  const counts: SplitResult['counts'] = {};
  for (const c of split.classes) counts[c] = { train: 0, validation: 0, test: 0, total: split.counts[c]?.total ?? 0 };
  for (const s of ORDER) for (const p of out[s]) counts[classOf.get(p)!][s]++;
  const trained = split.classes.filter((c) => counts[c].train > 0);
  const classWeights: Record<string, number> = {};
  for (const c of split.classes) classWeights[c] = counts[c].train > 0 ? out.train.length / (trained.length * counts[c].train) : 0;
  const warnings = [...split.warnings];
  for (const c of split.classes) {
    if (counts[c].validation === 0 && split.counts[c]?.validation > 0) {
      warnings.push({ code: 'NO_VALIDATION', className: c, message: `Class "${c}" has no validation images left after keeping duplicates together in training; its accuracy cannot be measured.` });
    }
    if (counts[c].test === 0 && split.counts[c]?.test > 0) {
      warnings.push({ code: 'NO_TEST', className: c, message: `Class "${c}" has no test images left after keeping duplicates together in training.` });
    }
  }
  return { split: { ...split, ...out, counts, classWeights, warnings }, leaks };
}

export interface ClassFinding {
  code: 'TINY_CLASS' | 'IMBALANCED';
  className: string;
  count: number;
  message: string;
}

/**
 * Flags classes with fewer than `minPerClass` images (default 10), and classes at least
 * `ratio` (default 10) times smaller than the largest.
 */
export function classFindings(classCounts: Readonly<Record<string, number>>, opts: { minPerClass?: number; ratio?: number } = {}): ClassFinding[] {
  const min = opts.minPerClass ?? 10;
  const ratio = opts.ratio ?? 10;
  const entries = Object.entries(classCounts).sort((a, b) => cmp(a[0], b[0]));
  const largest = Math.max(0, ...entries.map(([, n]) => n));
  const out: ClassFinding[] = [];
  for (const [c, n] of entries) {
    if (n < min) out.push({ code: 'TINY_CLASS', className: c, count: n, message: `Class "${c}" has only ${n} image${n === 1 ? '' : 's'}; aim for at least ${min} for a reliable model.` });
    if (n > 0 && largest / n >= ratio) {
      out.push({ code: 'IMBALANCED', className: c, count: n, message: `Class "${c}" has ${n} image${n === 1 ? '' : 's'}, ${(largest / n).toFixed(1)}× fewer than the largest class (${largest}); add images or train with class weights (balanced).` });
    }
  }
  return out;
}

/** The similar groups an import stored in a dataset's summary, limited to the images still listed. */
export function storedGroups(summary: Readonly<Record<string, unknown>>, present: ReadonlySet<string>): SimilarGroup[] {
  const groups = (summary.similar as SimilarGroup[] | undefined) ?? [];
  return groups.map((g) => ({ ...g, paths: g.paths.filter((p) => present.has(p)) })).filter((g) => g.paths.length > 1);
}
