// SPDX-License-Identifier: MIT
// Overlaid learning curves of several runs: one x axis (epochs counted over both phases, 1-based),
// one series per run padded with nulls where a run stopped earlier, so uPlot draws them together.
import type { RunDetail } from '../../../shared/dto/train';

/** The shape LineChart.svelte draws (declared here too: plain tsc cannot read types out of .svelte files). */
export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: boolean;
}

const PALETTE = ['#1c7ed6', '#d9480f', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#e03131', '#5c940d'];

export type CurveMetric = 'valAcc' | 'valLoss' | 'acc' | 'loss';

export const runLabel = (r: Pick<RunDetail, 'id' | 'name' | 'backbone'>): string => (r.name ? `${r.name} (run ${r.id})` : `Run ${r.id} (${r.backbone})`);

export function overlaidCurves(runs: readonly RunDetail[], metric: CurveMetric): { x: number[]; series: Series[] } {
  const ordered = runs.map((r) => [...r.epochs].sort((a, b) => a.phase - b.phase || a.epoch - b.epoch));
  const n = Math.max(0, ...ordered.map((e) => e.length));
  const x = Array.from({ length: n }, (_, i) => i + 1);
  const series = runs.map((r, i) => ({
    label: runLabel(r),
    color: PALETTE[i % PALETTE.length],
    values: x.map((_, j) => ordered[i][j]?.[metric] ?? null),
  }));
  return { x, series };
}
