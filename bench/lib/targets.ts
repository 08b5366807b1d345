// SPDX-License-Identifier: MIT
// Target verdicts in one wording: "target: ≥4x PyTorch — measured 2.1x: MISSED by 1.9x".
import type { TargetCheck } from './types';

function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(digits + 1).replace(/\.?0+$/, '');
}

/** measured must be at least `min` (a ratio or a rate). Shortfall is reported as a factor. */
export function atLeast(target: string, measured: number, min: number, unit = 'x'): TargetCheck {
  const m = `${fmt(measured)}${unit === 'x' ? 'x' : ` ${unit}`}`;
  if (!Number.isFinite(measured)) return { target, measured: null, met: null, verdict: 'not measured' };
  const met = measured >= min;
  return { target, measured: m, met, verdict: met ? 'MET' : `MISSED by ${fmt(min / measured)}x` };
}

/** measured must be at most `max`. Excess is reported as a factor. */
export function atMost(target: string, measured: number, max: number, unit = 'x'): TargetCheck {
  const m = `${fmt(measured)}${unit === 'x' ? 'x' : ` ${unit}`}`;
  if (!Number.isFinite(measured)) return { target, measured: null, met: null, verdict: 'not measured' };
  const met = measured <= max;
  return { target, measured: m, met, verdict: met ? 'MET' : `MISSED by ${fmt(measured / max)}x` };
}

export function notMeasured(target: string, why: string): TargetCheck {
  return { target, measured: null, met: null, verdict: `not measured: ${why}` };
}

export function describeTarget(t: TargetCheck): string {
  return `target: ${t.target} — measured ${t.measured ?? 'n/a'}: ${t.verdict}`;
}

export { fmt };
