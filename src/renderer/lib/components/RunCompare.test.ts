// SPDX-License-Identifier: MIT
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../shared/dto/train';
import RunCompare from './RunCompare.svelte';

function run(id: number, accuracy: number, f1: Record<string, number>): RunDetail {
  const names = Object.keys(f1);
  return {
    id, projectId: 1, datasetId: 1, backbone: id === 1 ? 'mobilenetv2' : 'resnet50', weights: 'imagenet', status: 'completed', backend: 'cpu', startedAt: '', finishedAt: '', accuracy, error: null,
    config: {}, epochs: [], engineNotes: [], dir: null, modelDir: null,
    evaluation: {
      n: 10, numClasses: names.length, classNames: names, accuracy, top5Accuracy: 1,
      perClass: names.map((name) => ({ name, precision: 0, recall: 0, f1: f1[name], support: 5 })),
      macro: { precision: 0, recall: 0, f1: names.reduce((a, n) => a + f1[n], 0) / names.length }, weighted: { precision: 0, recall: 0, f1: 0 },
      confusion: [], ece: 0, calibration: [], logLoss: 0, misclassified: [],
    },
  };
}

describe('RunCompare', () => {
  it('puts runs side by side and marks the best value per row', () => {
    render(RunCompare, { runs: [run(1, 0.8, { cat: 0.9, dog: 0.7 }), run(2, 0.85, { cat: 0.8, dog: 0.9 }), { ...run(3, 0, {}), evaluation: null }] });
    const rows = screen.getAllByRole('row').map((r) => [...r.querySelectorAll('th,td')].map((c) => c.textContent?.replace(/\s+/g, ' ').trim()));
    expect(rows).toEqual([
      ['Metric', 'Run 1 (mobilenetv2)', 'Run 2 (resnet50)'],
      ['Accuracy', '80.0%', '85.0%'],
      ['Top-5', '100.0%', '100.0%'],
      ['Macro F1', '0.800', '0.850'],
      ['F1 cat', '0.900', '0.800'],
      ['F1 dog', '0.700', '0.900'],
    ]);
    const bold = [...document.querySelectorAll('td.best')].map((c) => c.textContent);
    expect(bold).toEqual(['85.0%', '100.0%', '100.0%', '0.850', '0.900', '0.900']);
  });

  it('shows nothing with fewer than two evaluated runs', () => {
    render(RunCompare, { runs: [run(1, 0.8, { cat: 0.9 })] });
    expect(screen.queryByTestId('run-compare')).toBeNull();
  });
});
