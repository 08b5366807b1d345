// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import { thresholdStats, unsureCurve } from './threshold-math';

const conf = [0.3, 0.45, 0.6, 0.8, 0.95];
const ok = [false, true, false, true, true];

describe('thresholdStats', () => {
  it('counts unsure images and the mistakes a threshold catches', () => {
    expect(thresholdStats(conf, ok, 0)).toEqual({ threshold: 0, total: 5, unsure: 0, wrongCaught: 0, wrongLeft: 2, sureAccuracy: 0.6 });
    expect(thresholdStats(conf, ok, 0.5)).toEqual({ threshold: 0.5, total: 5, unsure: 2, wrongCaught: 1, wrongLeft: 1, sureAccuracy: 2 / 3 });
    // An image exactly at the threshold is sure (classify uses `confidence < threshold`).
    expect(thresholdStats(conf, ok, 0.6).unsure).toBe(2);
    expect(thresholdStats(conf, ok, 0.61)).toMatchObject({ unsure: 3, wrongCaught: 2, wrongLeft: 0, sureAccuracy: 1 });
    expect(thresholdStats(conf, ok, 1).sureAccuracy).toBeNull();
  });

  it('draws the unsure count over thresholds', () => {
    const c = unsureCurve(conf, 4);
    expect(c.x).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(c.unsure).toEqual([0, 0, 2, 3, 5]);
  });
});
