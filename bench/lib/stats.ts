// SPDX-License-Identifier: MIT
// Timing with warm-up and repetitions. Wall time is what users feel; CPU time of the whole process
// (every thread) is reported beside it because the machines here are shared and wall time
// swings with other people's load while CPU time mostly does not.
import os from 'node:os';

export interface Sample {
  wallMs: number;
  cpuMs: number;
}

export interface Summary {
  n: number;
  /** Wall milliseconds. */
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
  /** Process CPU milliseconds (user + system, all threads), median over repetitions. */
  cpuMedian: number;
  /** 1-minute load average, mean of the values at start and end. */
  load: number;
  samples: Sample[];
}

export interface MeasureOptions {
  warmup?: number;
  reps?: number;
}

/** Quantile with linear interpolation (type 7, as numpy and R default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples: readonly Sample[], load: number): Summary {
  const wall = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const cpu = samples.map((s) => s.cpuMs).sort((a, b) => a - b);
  return {
    n: samples.length,
    median: quantile(wall, 0.5),
    q1: quantile(wall, 0.25),
    q3: quantile(wall, 0.75),
    min: wall[0] ?? Number.NaN,
    max: wall[wall.length - 1] ?? Number.NaN,
    cpuMedian: quantile(cpu, 0.5),
    load,
    samples: [...samples],
  };
}

export function loadAverage(): number {
  return os.loadavg()[0];
}

/** Runs `fn` `warmup` times untimed, then `reps` times timed. */
export async function measure(fn: () => unknown, opts: MeasureOptions = {}): Promise<Summary> {
  const { warmup = 1, reps = 5 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const load0 = loadAverage();
  const samples: Sample[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const wallMs = performance.now() - t0;
    const c = process.cpuUsage(c0);
    samples.push({ wallMs, cpuMs: (c.user + c.system) / 1000 });
  }
  return summarize(samples, (load0 + loadAverage()) / 2);
}

/** Converts a per-call summary to per-item figures (e.g. per image of a batch). */
export function perItem(s: Summary, items: number): Summary {
  const f = (x: number) => x / items;
  return {
    ...s,
    median: f(s.median),
    q1: f(s.q1),
    q3: f(s.q3),
    min: f(s.min),
    max: f(s.max),
    cpuMedian: f(s.cpuMedian),
    samples: s.samples.map((x) => ({ wallMs: f(x.wallMs), cpuMs: f(x.cpuMs) })),
  };
}
