// SPDX-License-Identifier: MIT
// Stratified train/validation/test splits. Each class is split on its own so rare classes still
// appear in validation, and each class's shuffle is seeded from (seed, class name) so adding a
// class or an image elsewhere does not reshuffle the others.
import { AppError } from '../../shared/errors';
import { createRng, deriveSeed, shuffleInPlace } from './rng';
import type { SplitName } from './types';

export interface SplitItem {
  path: string;
  className: string;
  /** The user's own split folder, if any (from the scan). */
  split?: SplitName;
}

export interface SplitOptions {
  /** Fraction of each class for validation (default 0.2, like Keras's common setting). */
  validation?: number;
  /** Fraction of each class for test (default 0). */
  test?: number;
  seed?: number;
  /** Keep the user's train/val/test folders (default true); missing splits are carved from train. */
  respectUserSplits?: boolean;
  /** Warn when a class has fewer images than this (default 10). */
  minPerClass?: number;
  /** Warn when the largest class's training count is this many times the smallest's (default 10). */
  imbalanceRatio?: number;
  /** Fix the class order (labels are indices into it); default: sorted names found. */
  classes?: readonly string[];
}

export type SplitWarningCode = 'FEW_IMAGES' | 'NO_VALIDATION' | 'NO_TEST' | 'NO_TRAIN' | 'IMBALANCE' | 'ONE_CLASS';

export interface SplitWarning {
  code: SplitWarningCode;
  className?: string;
  message: string;
}

export interface ClassSplitCounts {
  train: number;
  validation: number;
  test: number;
  total: number;
}

export interface SplitResult {
  classes: string[];
  /** Paths in each split, in a deterministic shuffled order. */
  train: string[];
  validation: string[];
  test: string[];
  counts: Record<string, ClassSplitCounts>;
  /** sklearn's 'balanced' weights from the training counts: n_samples / (n_classes × n_c); 0 for a class with no training image. */
  classWeights: Record<string, number>;
  warnings: SplitWarning[];
}

function checkFraction(name: string, v: number): void {
  if (!(v >= 0 && v < 1)) {
    throw new AppError('INVALID_ARGUMENT', `Expected split option ${name} to be a fraction in [0, 1). Received: ${v}.`);
  }
}

/**
 * How many of `n` images go to validation and test: rounded fractions, at least one each when
 * the fraction is non-zero and the class has images to spare, and never all of them.
 */
export function allocate(n: number, validation: number, test: number): { validation: number; test: number } {
  let v = Math.round(n * validation);
  let t = Math.round(n * test);
  if (validation > 0 && v === 0 && n >= 2) v = 1;
  if (test > 0 && t === 0 && n - v >= 2) t = 1;
  while (v + t >= n && (v > 0 || t > 0)) {
    if (t > 0) t--;
    else v--;
  }
  return { validation: v, test: t };
}

/**
 * Splits items per class, deterministically for a given seed.
 * @throws AppError INVALID_ARGUMENT for fractions outside [0, 1) or summing to 1 or more.
 */
export function splitDataset(items: readonly SplitItem[], opts: SplitOptions = {}): SplitResult {
  const fv = opts.validation ?? 0.2;
  const ft = opts.test ?? 0;
  checkFraction('validation', fv);
  checkFraction('test', ft);
  if (fv + ft >= 1) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `Expected validation + test to leave images for training. Received: ${fv} + ${ft}.`,
    );
  }
  const seed = opts.seed ?? 1337;
  const classes = opts.classes
    ? [...opts.classes]
    : [...new Set(items.map((i) => i.className))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const byClass = new Map<string, SplitItem[]>(classes.map((c) => [c, []]));
  for (const it of items) {
    const list = byClass.get(it.className);
    if (!list) {
      throw new AppError('INVALID_ARGUMENT', `Image ${it.path} has class "${it.className}", not in the class list.`);
    }
    list.push(it);
  }
  const userSplits = (opts.respectUserSplits ?? true) && items.some((i) => i.split);
  const hasUser = (s: SplitName) => items.some((i) => i.split === s);
  const out: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
  const counts: Record<string, ClassSplitCounts> = {};
  const warnings: SplitWarning[] = [];

  for (const cls of classes) {
    const list = byClass.get(cls)!.map((i) => ({ ...i })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    shuffleInPlace(list, createRng(deriveSeed(seed, 'split', cls)));
    const parts: Record<SplitName, string[]> = { train: [], validation: [], test: [] };
    if (userSplits) {
      for (const it of list) parts[it.split ?? 'train'].push(it.path);
      const pool = parts.train;
      const carve = allocate(pool.length, hasUser('validation') ? 0 : fv, hasUser('test') ? 0 : ft);
      parts.test.push(...pool.splice(0, carve.test));
      parts.validation.push(...pool.splice(0, carve.validation));
    } else {
      const a = allocate(list.length, fv, ft);
      const paths = list.map((i) => i.path);
      parts.test = paths.splice(0, a.test);
      parts.validation = paths.splice(0, a.validation);
      parts.train = paths;
    }
    for (const s of ['train', 'validation', 'test'] as const) out[s].push(...parts[s]);
    const c = { train: parts.train.length, validation: parts.validation.length, test: parts.test.length, total: list.length };
    counts[cls] = c;
    const minPer = opts.minPerClass ?? 10;
    if (c.total < minPer) {
      warnings.push({
        code: 'FEW_IMAGES',
        className: cls,
        message: `Class "${cls}" has only ${c.total} image${c.total === 1 ? '' : 's'}; aim for at least ${minPer} (more is better) for a reliable model.`,
      });
    }
    if (c.train === 0) {
      warnings.push({ code: 'NO_TRAIN', className: cls, message: `Class "${cls}" has no training images; the model cannot learn it.` });
    }
    if (fv > 0 && c.validation === 0 && c.total > 0) {
      warnings.push({
        code: 'NO_VALIDATION',
        className: cls,
        message: `Class "${cls}" has too few images (${c.total}) to hold any back for validation; its accuracy cannot be measured.`,
      });
    }
    if (ft > 0 && c.test === 0) {
      warnings.push({ code: 'NO_TEST', className: cls, message: `Class "${cls}" has no test images.` });
    }
  }

  if (classes.length < 2) {
    warnings.push({
      code: 'ONE_CLASS',
      message: `Training needs at least two classes; found ${classes.length}. Add a folder per class.`,
    });
  }
  const trainCounts = classes.map((c) => counts[c].train).filter((n) => n > 0);
  const maxC = Math.max(0, ...trainCounts);
  const minC = Math.min(...trainCounts);
  const ratio = opts.imbalanceRatio ?? 10;
  if (trainCounts.length >= 2 && maxC / minC >= ratio) {
    const big = classes.find((c) => counts[c].train === maxC)!;
    const small = classes.find((c) => counts[c].train === minC)!;
    warnings.push({
      code: 'IMBALANCE',
      message:
        `Classes are strongly imbalanced: "${big}" has ${maxC} training images, "${small}" ${minC} ` +
        `(${(maxC / minC).toFixed(1)}×). Class weights compensate; more images of the small classes help more.`,
    });
  }
  const nTrain = out.train.length;
  const classWeights: Record<string, number> = {};
  // sklearn counts only classes present in y, so a class without training images does not dilute the others.
  for (const c of classes) classWeights[c] = counts[c].train > 0 ? nTrain / (trainCounts.length * counts[c].train) : 0;
  return { classes, ...out, counts, classWeights, warnings };
}
