// SPDX-License-Identifier: MIT
// What a benchmark case hands back to the runner: rows of figures, target checks and notes.

/** One measured figure. */
export interface Row {
  /** What was measured ("ORT fast path, batch 32"). */
  name: string;
  value: number;
  unit: string;
  /** Spread of `value` over the repetitions: interquartile range, or min..max with few reps. */
  spread?: { lo: number; hi: number; kind: 'IQR' | 'min-max' };
  /** CPU time of the process, per the same unit's denominator (e.g. "412 ms CPU/img"). */
  cpu?: string;
  peakRssMiB?: number;
  /** 1-minute load average while it ran. */
  load: number;
  reps?: number;
  note?: string;
}

/** A target from the issues, checked against a figure measured in this run. */
export interface TargetCheck {
  target: string;
  /** e.g. "2.1x", "95 img/s"; null when it could not be measured. */
  measured: string | null;
  met: boolean | null;
  /** "MISSED by 1.9x" etc. */
  verdict: string;
}

export type CaseStatus = 'ok' | 'skipped' | 'unavailable' | 'error';

export interface CaseResult {
  id: string;
  title: string;
  status: CaseStatus;
  rows: Row[];
  targets: TargetCheck[];
  notes: string[];
  /** Set when status is 'error'. */
  error?: string;
  seconds: number;
}

export interface BenchContext {
  quick: boolean;
  /** Scratch folder for this case (removed afterwards). */
  tmpDir: string;
  /** Progress to stderr. */
  log: (msg: string) => void;
}

export interface CaseOutput {
  status?: CaseStatus;
  /** With status 'error': what failed (the rows measured before it are kept). */
  error?: string;
  rows: Row[];
  targets: TargetCheck[];
  notes: string[];
}

export interface BenchCase {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<CaseOutput>;
}

/** Builds an empty output to push into. */
export function emptyOutput(): CaseOutput {
  return { rows: [], targets: [], notes: [] };
}
