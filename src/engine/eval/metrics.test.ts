// SPDX-License-Identifier: MIT
import { describe, expect, it } from 'vitest';
import { compareRuns } from './compare';
import { confusionMatrix, evaluatePredictions, expectedCalibrationError, topKAccuracy } from './metrics';

// Seven examples, three classes; every figure below is worked out by hand in the comments.
const Y = [0, 0, 1, 1, 2, 2, 0];
const P = [
  [0.7, 0.2, 0.1], // y0 -> 0 ok, conf .70
  [0.3, 0.62, 0.08], // y0 -> 1 wrong, conf .62, true score .30 (2nd)
  [0.1, 0.81, 0.09], // y1 -> 1 ok, conf .81
  [0.2, 0.25, 0.55], // y1 -> 2 wrong, conf .55, true score .25 (2nd)
  [0.1, 0.07, 0.83], // y2 -> 2 ok, conf .83
  [0.1, 0.64, 0.26], // y2 -> 1 wrong, conf .64, true score .26 (2nd)
  [0.91, 0.05, 0.04], // y0 -> 0 ok, conf .91
];

describe('evaluatePredictions', () => {
  const e = evaluatePredictions(Y, P, 3, { classNames: ['cat', 'dog', 'fox'], ids: Y.map((_, i) => `img${i}.png`) });

  it('counts accuracy and the confusion matrix', () => {
    expect(e.accuracy).toBeCloseTo(4 / 7, 12);
    expect(e.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 1, 1],
    ]);
  });

  it('computes per-class precision, recall and F1 (zero_division 0)', () => {
    // cat: predicted twice, both right; 2 of 3 found. dog: predicted 3 times, 1 right. fox: 1 of 2.
    expect(e.perClass.map((c) => c.name)).toEqual(['cat', 'dog', 'fox']);
    expect(e.perClass[0]).toMatchObject({ precision: 1, support: 3 });
    expect(e.perClass[0].recall).toBeCloseTo(2 / 3, 12);
    expect(e.perClass[0].f1).toBeCloseTo(0.8, 12);
    expect(e.perClass[1].precision).toBeCloseTo(1 / 3, 12);
    expect(e.perClass[1].recall).toBeCloseTo(0.5, 12);
    expect(e.perClass[1].f1).toBeCloseTo(0.4, 12);
    expect(e.perClass[2]).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
  });

  it('averages macro and support-weighted', () => {
    expect(e.macro.precision).toBeCloseTo((1 + 1 / 3 + 0.5) / 3, 12);
    expect(e.macro.recall).toBeCloseTo((2 / 3 + 0.5 + 0.5) / 3, 12);
    expect(e.macro.f1).toBeCloseTo((0.8 + 0.4 + 0.5) / 3, 12);
    expect(e.weighted.f1).toBeCloseTo((0.8 * 3 + 0.4 * 2 + 0.5 * 2) / 7, 12);
    expect(e.weighted.precision).toBeCloseTo((3 + 2 / 3 + 1) / 7, 12);
    // Weighted recall is accuracy, by definition.
    expect(e.weighted.recall).toBeCloseTo(e.accuracy, 12);
  });

  it('computes top-k accuracy', () => {
    expect(topKAccuracy(Y, P, 3, 1)).toBeCloseTo(4 / 7, 12);
    expect(topKAccuracy(Y, P, 3, 2)).toBe(1);
    expect(e.top5Accuracy).toBe(1);
    // A tie with the true class counts against it.
    expect(topKAccuracy([0], [[0.4, 0.4, 0.2]], 3, 1)).toBe(0);
  });

  it('computes the expected calibration error over 15 bins', () => {
    // bins: .70 ok (10) | .62 .64 wrong (9) | .81 .83 ok (12) | .55 wrong (8) | .91 ok (13)
    const expected = (0.3 + 2 * 0.63 + 2 * 0.18 + 0.55 + 0.09) / 7;
    expect(e.ece).toBeCloseTo(expected, 12);
    expect(e.calibration).toHaveLength(15);
    expect(e.calibration[9]).toMatchObject({ count: 2, accuracy: 0 });
    expect(e.calibration[9].confidence).toBeCloseTo(0.63, 12);
    expect(e.calibration.reduce((a, b) => a + b.count, 0)).toBe(7);
    // Perfectly calibrated: confidence 1 and always right.
    expect(expectedCalibrationError([0, 1], [[1, 0], [0, 1]], 2).ece).toBe(0);
  });

  it('lists mistakes, most confident first, with ids and scores', () => {
    expect(e.misclassified.map((m) => m.index)).toEqual([5, 1, 3]);
    expect(e.misclassified[0]).toMatchObject({ id: 'img5.png', label: 2, predicted: 1, confidence: 0.64, trueScore: 0.26, scores: [0.1, 0.64, 0.26] });
  });

  it('computes log loss on the true class', () => {
    const trueScores = [0.7, 0.3, 0.81, 0.25, 0.83, 0.26, 0.91];
    expect(e.logLoss).toBeCloseTo(-trueScores.reduce((a, p) => a + Math.log(p), 0) / 7, 12);
  });

  it('accepts flat Float32Array scores with the same results', () => {
    const flat = evaluatePredictions(Int32Array.from(Y), Float32Array.from(P.flat()), 3);
    expect(flat.confusion).toEqual(e.confusion);
    expect(flat.ece).toBeCloseTo(e.ece, 6);
    expect(flat.classNames).toEqual(['0', '1', '2']);
  });

  it('rejects labels out of range and ragged scores, naming what it got', () => {
    expect(() => evaluatePredictions([3], [[0.5, 0.5, 0]], 3)).toThrow(/yTrue\[0\].*Received: 3/);
    expect(() => evaluatePredictions([0, 1], [[1, 0, 0]], 3)).toThrow(/2 rows of 3/);
  });

  it('builds a confusion matrix from labels', () => {
    expect(confusionMatrix([0, 1, 1], [1, 1, 0], 2)).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });
});

describe('compareRuns', () => {
  it('reports deltas and which run wins each metric', () => {
    const a = evaluatePredictions(Y, P, 3, { classNames: ['cat', 'dog', 'fox'] });
    const perfect = evaluatePredictions(Y, Y.map((y) => [0, 1, 2].map((c) => (c === y ? 0.9 : 0.05))), 3, { classNames: ['cat', 'dog', 'fox'] });
    const cmp = compareRuns({ name: 'a', evaluation: a }, { name: 'b', evaluation: perfect });
    const acc = cmp.metrics.find((m) => m.metric === 'accuracy');
    expect(acc).toMatchObject({ a: 4 / 7, b: 1, better: 'b' });
    expect(acc?.delta).toBeCloseTo(3 / 7, 12);
    expect(cmp.metrics.find((m) => m.metric === 'top5Accuracy')?.better).toBe('tie');
    expect(cmp.metrics.find((m) => m.metric === 'logLoss')?.better).toBe('b');
    expect(cmp.perClassF1?.map((r) => r.b)).toEqual([1, 1, 1]);
    expect(cmp.wins.a).toBe(0);
    const other = compareRuns({ name: 'a', evaluation: a }, { name: 'c', evaluation: evaluatePredictions(Y, P, 3) });
    expect(other.perClassF1).toBeNull();
  });
});
