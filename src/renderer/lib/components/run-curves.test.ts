// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../shared/dto/train';
import { overlaidCurves, runLabel } from './run-curves';

const epoch = (phase: number, e: number, valAcc: number) => ({ phase, epoch: e, loss: 1, acc: 0.5, valLoss: 1 - valAcc, valAcc, lr: 0.001, seconds: 1, imagesPerSec: 10 });
const run = (id: number, epochs: ReturnType<typeof epoch>[], name: string | null = null) => ({ id, name, backbone: 'mobilenetv2', epochs }) as unknown as RunDetail;

describe('overlaidCurves', () => {
  it('puts runs of different lengths on one axis, phase 2 after phase 1, padding with nulls', () => {
    const a = run(1, [epoch(2, 1, 0.9), epoch(1, 2, 0.7), epoch(1, 1, 0.5)]);
    const b = run(2, [epoch(1, 1, 0.6)], 'cosine');
    const { x, series } = overlaidCurves([a, b], 'valAcc');
    expect(x).toEqual([1, 2, 3]);
    expect(series.map((s) => s.values)).toEqual([[0.5, 0.7, 0.9], [0.6, null, null]]);
    expect(series.map((s) => s.label)).toEqual(['Run 1 (mobilenetv2)', 'cosine (run 2)']);
    expect(new Set(series.map((s) => s.color)).size).toBe(2);
    expect(overlaidCurves([a], 'valLoss').series[0].values.map((v) => Number(v!.toFixed(2)))).toEqual([0.5, 0.3, 0.1]);
    expect(runLabel({ id: 3, name: null, backbone: 'vgg16' })).toBe('Run 3 (vgg16)');
  });

  it('has an empty axis for no runs', () => {
    expect(overlaidCurves([], 'loss')).toEqual({ x: [], series: [] });
  });
});
