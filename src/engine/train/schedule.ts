// SPDX-License-Identifier: MIT
// Learning-rate schedules, evaluated per batch so warm-up and cosine are smooth within an epoch.
import type { ScheduleName } from './types';

export interface ScheduleOptions {
  schedule: ScheduleName;
  baseLr: number;
  stepsPerEpoch: number;
  epochs: number;
  /** Linear warm-up from baseLr/stepsPerEpoch... to baseLr over this many epochs (may be fractional). */
  warmupEpochs?: number;
  stepEvery?: number;
  stepGamma?: number;
  /** Floor of the cosine decay (default 0). */
  minLr?: number;
}

/** Learning rate for the 0-based `step` (batch index counted over the whole phase). */
export function learningRateAt(step: number, o: ScheduleOptions): number {
  const spe = Math.max(1, o.stepsPerEpoch);
  const total = Math.max(1, spe * o.epochs);
  const warm = Math.round(Math.max(0, o.warmupEpochs ?? 0) * spe);
  if (warm > 0 && step < warm) return (o.baseLr * (step + 1)) / warm;
  switch (o.schedule) {
    case 'constant':
      return o.baseLr;
    case 'cosine': {
      const minLr = o.minLr ?? 0;
      const span = Math.max(1, total - warm);
      const t = Math.min(1, (step - warm) / span);
      return minLr + 0.5 * (o.baseLr - minLr) * (1 + Math.cos(Math.PI * t));
    }
    case 'step': {
      const epoch = Math.floor(step / spe);
      return o.baseLr * Math.pow(o.stepGamma ?? 0.1, Math.floor(epoch / Math.max(1, o.stepEvery ?? 10)));
    }
  }
}
