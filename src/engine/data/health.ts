// SPDX-License-Identifier: MIT
// Dataset health: groups of identical or near-identical images, leakage of such a group across
// train/validation/test (a copy in test of an image the model trained on inflates every metric),
// and the fix: every copy of the same bytes goes to one split; near pairs (look-alikes that may be
// different pictures) are reported for a person to judge. Tiny and imbalanced classes are flagged.
import { FLAT_SPREAD, isNearDuplicate, MIN_NEAR_SIDE, thumbDistance, type PerceptualHash } from './phash';
import type { SplitResult } from './split';
import type { SplitName } from './types';

export interface HealthImage {
  path: string;
  className: string;
  sha256: string;
  /** Pixel size of the source; images under MIN_NEAR_SIDE on the short side are matched by bytes only. */
  width?: number;
  height?: number;
  /** Missing when the image could not be hashed; it is then matched by bytes only. */
  hash?: PerceptualHash;
}

export interface SimilarGroup {
  /**
   * `exact`: every member has the same bytes (any number of members); `near`: a pair that only
   * looks the same. Near pairs never chain: each image is in at most one near pair.
   */
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
  /** True when the members were moved into `keptIn`; near pairs are only reported. */
  moved: boolean;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function group(kind: SimilarGroup['kind'], ims: readonly HealthImage[]): SimilarGroup {
  const classes = [...new Set(ims.map((im) => im.className))].sort(cmp);
  return { kind, paths: ims.map((im) => im.path).sort(cmp), classes, crossClass: classes.length > 1 };
}

/** Whether an image carries enough detail for its perceptual hash to mean anything. */
function nearComparable(im: HealthImage): im is HealthImage & { hash: PerceptualHash } {
  if (!im.hash || im.hash.spread < FLAT_SPREAD) return false;
  return im.width === undefined || im.height === undefined || Math.min(im.width, im.height) >= MIN_NEAR_SIDE;
}

/**
 * Exact duplicates (same sha256) as one group each; near duplicates (see isNearDuplicate: hash,
 * colour and thumbnail pixels) as disjoint pairs, closest first, between images of different
 * content: a look-alike of a look-alike is never pulled in, so groups cannot chain across a class
 * of similar pictures. Low-detail and flat images are matched by bytes only. All pairs of
 * distinct contents are compared (about 50 million for 10,000 images, well under a second).
 * @returns groups of two or more, cross-class groups first, then by first path.
 */
export function findSimilarGroups(images: readonly HealthImage[]): SimilarGroup[] {
  const bySha = new Map<string, HealthImage[]>();
  for (const im of images) {
    const list = bySha.get(im.sha256);
    if (list) list.push(im);
    else bySha.set(im.sha256, [im]);
  }
  const groups: SimilarGroup[] = [];
  for (const list of bySha.values()) if (list.length > 1) groups.push(group('exact', list));
  // One representative per content: its first path in path order.
  const reps = [...bySha.values()].map((l) => [...l].sort((a, b) => cmp(a.path, b.path))[0]).filter(nearComparable);
  const pairs: { a: number; b: number; d: number }[] = [];
  for (let a = 0; a < reps.length; a++) {
    for (let b = a + 1; b < reps.length; b++) {
      if (isNearDuplicate(reps[a].hash, reps[b].hash)) pairs.push({ a, b, d: thumbDistance(reps[a].hash.thumb, reps[b].hash.thumb) });
    }
  }
  pairs.sort((x, y) => x.d - y.d || cmp(reps[x.a].path, reps[y.a].path) || cmp(reps[x.b].path, reps[y.b].path));
  const paired = new Set<number>();
  for (const p of pairs) {
    if (paired.has(p.a) || paired.has(p.b)) continue;
    paired.add(p.a).add(p.b);
    groups.push(group('near', [reps[p.a], reps[p.b]]));
  }
  return groups.sort((a, b) => Number(b.crossClass) - Number(a.crossClass) || cmp(a.paths[0], b.paths[0]));
}

const ORDER: readonly SplitName[] = ['train', 'validation', 'test'];

/**
 * Finds groups whose members fell into different splits. Unless `fix` is false, every member of an
 * exact group moves to the earliest split among them (train before validation before test), so
 * validation and test only hold pictures the model never trained on; near pairs are reported and
 * left where they are (a look-alike may be another picture, and moving many of them would empty
 * the test set). Counts and class weights are recomputed.
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
    const moved = fix && g.kind === 'exact';
    leaks.push({ kind: g.kind, paths: Object.keys(before), before, keptIn, moved });
    if (moved) for (const p of Object.keys(before)) if (before[p] !== keptIn) moveTo.set(p, keptIn);
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
