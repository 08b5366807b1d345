// SPDX-License-Identifier: MIT
// Classification metrics as pure functions of (yTrue, probs), so the same numbers come out of
// the trainer, the CLI and a re-evaluation of stored predictions. Conventions follow
// scikit-learn (zero_division=0) and Guo et al. 2017 for calibration.
import { AppError } from '../../shared/errors';

export type Probs = Float32Array | Float64Array | readonly (readonly number[])[];

export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  /** True examples of this class. */
  support: number;
}

export interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

export interface CalibrationBin {
  /** Upper edge of the bin; the bin is (upper - 1/bins, upper]. */
  upper: number;
  count: number;
  /** Mean top-1 confidence in the bin (0 when empty). */
  confidence: number;
  accuracy: number;
}

export interface Misclassified {
  index: number;
  id?: string;
  label: number;
  predicted: number;
  /** Probability of the predicted class. */
  confidence: number;
  /** Probability given to the true class. */
  trueScore: number;
  scores: number[];
}

export interface Evaluation {
  n: number;
  numClasses: number;
  classNames: string[];
  accuracy: number;
  /** Top-k accuracy with k = min(5, numClasses). */
  top5Accuracy: number;
  perClass: ClassMetrics[];
  macro: Averages;
  weighted: Averages;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Expected calibration error over 15 equal-width confidence bins. */
  ece: number;
  calibration: CalibrationBin[];
  /** Mean cross-entropy of the true class (probabilities clipped at 1e-7). */
  logLoss: number;
  /** Sorted by confidence, most confident mistakes first. */
  misclassified: Misclassified[];
}

/** Row accessor over either a flat [n*k] array or rows. */
function rowsOf(probs: Probs, n: number, k: number): (i: number) => ArrayLike<number> {
  if (Array.isArray(probs)) return (i) => (probs as number[][])[i];
  const flat = probs as Float32Array;
  return (i) => flat.subarray(i * k, (i + 1) * k);
}

function argMax(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

function check(yTrue: ArrayLike<number>, probs: Probs, k: number): number {
  const n = yTrue.length;
  const rowsOk = Array.isArray(probs) ? probs.length === n && probs.every((r) => r.length === k) : (probs as Float32Array).length === n * k;
  if (!rowsOk) {
    throw new AppError('INVALID_ARGUMENT', `probs must hold ${n} rows of ${k} scores (one per label). Received ${Array.isArray(probs) ? `${probs.length} rows` : `${(probs as Float32Array).length} values`}.`);
  }
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (!Number.isInteger(y) || y < 0 || y >= k) {
      throw new AppError('INVALID_ARGUMENT', `yTrue[${i}] must be a class index in [0, ${k - 1}]. Received: ${y}.`, { index: i, received: y });
    }
  }
  return n;
}

/** Fraction of rows whose true class is among the k highest scores (ties count against). */
export function topKAccuracy(yTrue: ArrayLike<number>, probs: Probs, numClasses: number, k: number): number {
  const n = check(yTrue, probs, numClasses);
  const row = rowsOf(probs, n, numClasses);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const r = row(i);
    const t = r[yTrue[i]];
    let above = 0;
    for (let j = 0; j < numClasses; j++) if (j !== yTrue[i] && r[j] >= t) above++;
    if (above < k) hits++;
  }
  return n ? hits / n : NaN;
}

/** confusion[true][predicted] for arg-max predictions. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Per-class precision, recall, F1 and support from a confusion matrix (zero_division = 0). */
export function perClassMetrics(confusion: number[][], classNames?: readonly string[]): ClassMetrics[] {
  const k = confusion.length;
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r][c];
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { name: classNames?.[c] ?? String(c), precision, recall, f1, support };
  });
}

/** Unweighted (macro) and support-weighted means of per-class metrics. */
export function averages(perClass: readonly ClassMetrics[]): { macro: Averages; weighted: Averages } {
  const total = perClass.reduce((a, c) => a + c.support, 0);
  const mean = (f: (c: ClassMetrics) => number, w: (c: ClassMetrics) => number, d: number) => (d ? perClass.reduce((a, c) => a + f(c) * w(c), 0) / d : 0);
  const macro = { precision: mean((c) => c.precision, () => 1, perClass.length), recall: mean((c) => c.recall, () => 1, perClass.length), f1: mean((c) => c.f1, () => 1, perClass.length) };
  const weighted = { precision: mean((c) => c.precision, (c) => c.support, total), recall: mean((c) => c.recall, (c) => c.support, total), f1: mean((c) => c.f1, (c) => c.support, total) };
  return { macro, weighted };
}

/**
 * Expected calibration error: sum over bins of |B|/n * |accuracy(B) - confidence(B)|, bins
 * (i/bins, (i+1)/bins] on the top-1 confidence (Guo et al., "On Calibration of Modern Neural
 * Networks", 2017).
 */
export function expectedCalibrationError(yTrue: ArrayLike<number>, probs: Probs, numClasses: number, bins = 15): { ece: number; bins: CalibrationBin[] } {
  const n = check(yTrue, probs, numClasses);
  const row = rowsOf(probs, n, numClasses);
  const count = new Array<number>(bins).fill(0);
  const conf = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const r = row(i);
    const p = argMax(r);
    const c = r[p];
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
    count[b]++;
    conf[b] += c;
    if (p === yTrue[i]) correct[b]++;
  }
  let ece = 0;
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const cb = count[b] ? conf[b] / count[b] : 0;
    const ab = count[b] ? correct[b] / count[b] : 0;
    if (count[b]) ece += (count[b] / n) * Math.abs(ab - cb);
    out.push({ upper: (b + 1) / bins, count: count[b], confidence: cb, accuracy: ab });
  }
  return { ece, bins: out };
}

/**
 * Every metric at once.
 * @param ids optional per-example ids (file paths) for the misclassified list.
 * @throws AppError INVALID_ARGUMENT when shapes or labels do not fit.
 */
export function evaluatePredictions(
  yTrue: ArrayLike<number>,
  probs: Probs,
  numClasses: number,
  opts: { classNames?: readonly string[]; ids?: readonly string[] } = {},
): Evaluation {
  const n = check(yTrue, probs, numClasses);
  const row = rowsOf(probs, n, numClasses);
  const yPred = new Int32Array(n);
  const misclassified: Misclassified[] = [];
  let correct = 0;
  let logLoss = 0;
  for (let i = 0; i < n; i++) {
    const r = row(i);
    const p = argMax(r);
    yPred[i] = p;
    const y = yTrue[i];
    logLoss -= Math.log(Math.min(1 - 1e-7, Math.max(1e-7, r[y])));
    if (p === y) correct++;
    else misclassified.push({ index: i, ...(opts.ids ? { id: opts.ids[i] } : {}), label: y, predicted: p, confidence: r[p], trueScore: r[y], scores: Array.from(r) });
  }
  misclassified.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const perClass = perClassMetrics(confusion, opts.classNames);
  const { ece, bins } = expectedCalibrationError(yTrue, probs, numClasses);
  return {
    n,
    numClasses,
    classNames: perClass.map((c) => c.name),
    accuracy: n ? correct / n : NaN,
    top5Accuracy: topKAccuracy(yTrue, probs, numClasses, Math.min(5, numClasses)),
    perClass,
    ...averages(perClass),
    confusion,
    ece,
    calibration: bins,
    logLoss: n ? logLoss / n : NaN,
    misclassified,
  };
}
