// SPDX-License-Identifier: MIT
// Side-by-side comparison of two runs' evaluations (the "compare runs" screen and CLI table).
import type { Evaluation } from './metrics';

export interface RunSummary {
  name: string;
  evaluation: Evaluation;
}

export interface MetricRow {
  metric: string;
  a: number;
  b: number;
  /** b - a. */
  delta: number;
  /** Which run is better on this metric ('tie' within 1e-9). */
  better: 'a' | 'b' | 'tie';
}

export interface RunComparison {
  a: string;
  b: string;
  metrics: MetricRow[];
  /** Per-class F1, only when both runs have the same class names in the same order. */
  perClassF1: MetricRow[] | null;
  /** Count of metrics each run wins. */
  wins: { a: number; b: number };
}

const HIGHER_IS_BETTER: [string, (e: Evaluation) => number][] = [
  ['accuracy', (e) => e.accuracy],
  ['top5Accuracy', (e) => e.top5Accuracy],
  ['macroF1', (e) => e.macro.f1],
  ['weightedF1', (e) => e.weighted.f1],
  ['macroPrecision', (e) => e.macro.precision],
  ['macroRecall', (e) => e.macro.recall],
];
const LOWER_IS_BETTER: [string, (e: Evaluation) => number][] = [
  ['logLoss', (e) => e.logLoss],
  ['ece', (e) => e.ece],
];

function row(metric: string, a: number, b: number, higher: boolean): MetricRow {
  const delta = b - a;
  const better = Math.abs(delta) <= 1e-9 ? 'tie' : (delta > 0) === higher ? 'b' : 'a';
  return { metric, a, b, delta, better };
}

/** Compares run `b` against run `a`, metric by metric. */
export function compareRuns(a: RunSummary, b: RunSummary): RunComparison {
  const metrics = [
    ...HIGHER_IS_BETTER.map(([m, f]) => row(m, f(a.evaluation), f(b.evaluation), true)),
    ...LOWER_IS_BETTER.map(([m, f]) => row(m, f(a.evaluation), f(b.evaluation), false)),
  ];
  const sameClasses =
    a.evaluation.classNames.length === b.evaluation.classNames.length && a.evaluation.classNames.every((c, i) => c === b.evaluation.classNames[i]);
  const perClassF1 = sameClasses ? a.evaluation.perClass.map((c, i) => row(c.name, c.f1, b.evaluation.perClass[i].f1, true)) : null;
  return {
    a: a.name,
    b: b.name,
    metrics,
    perClassF1,
    wins: { a: metrics.filter((m) => m.better === 'a').length, b: metrics.filter((m) => m.better === 'b').length },
  };
}
