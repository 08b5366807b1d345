// SPDX-License-Identifier: MIT
// The Evaluate step: the project's runs, the chosen run's test metrics, per-class table and
// misclassified images (thumbnails by absolute path), evaluating a run that has none yet, and
// retraining from a confusion cell, as the user sees them and as the calls the engine receives.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeEngine, wizardOf } from '../../../../test/renderer-engine';
import { DatasetDetailSchema, type EvaluationDto, type RunDetail, type RunSummary } from '../../../shared/dto/train';
import type { EngineHandlers } from '../../../shared/ipc/contract';
import { project } from '../state/project.svelte';
import { toasts } from '../state/toasts.svelte';
import { training } from '../state/training.svelte';
import { wizard } from '../state/wizard.svelte';
import EvaluateStep from './EvaluateStep.svelte';

const birds = { id: 4, name: 'Birds', createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z', settings: {} };
const classNames = ['robin', 'wren'];

/** Run 1: 20 test images, 3 wrong; run 2: 20 images, 1 wrong. */
function evaluation(accuracy: number, misclassified: EvaluationDto['misclassified']): EvaluationDto {
  return {
    n: 20, numClasses: 2, classNames, accuracy, top5Accuracy: 1, ece: 0.042, logLoss: 0.31, split: 'test', datasetId: 2,
    perClass: [{ name: 'robin', precision: 0.9, recall: 0.818, f1: 0.857, support: 11 }, { name: 'wren', precision: 0.8, recall: 0.889, f1: 0.842, support: 9 }],
    macro: { precision: 0.85, recall: 0.854, f1: 0.8495 }, weighted: { precision: 0.855, recall: 0.85, f1: 0.85 },
    confusion: [[9, 2], [1, 8]], calibration: [], misclassified,
  };
}
const wrong = (index: number, id: string | undefined, label: number, confidence: number) => ({ index, ...(id ? { id } : {}), label, predicted: 1 - label, confidence, trueScore: 1 - confidence, scores: label ? [confidence, 1 - confidence] : [1 - confidence, confidence] });
const ev1 = evaluation(0.85, [wrong(3, 'robin/r3.jpg', 0, 0.91), wrong(7, 'robin/r7.jpg', 0, 0.62), wrong(12, '/mnt/extra/w12.jpg', 1, 0.55)]);

const summary = (id: number, accuracy: number | null, status: RunSummary['status'] = 'completed'): RunSummary => ({
  id, projectId: 4, datasetId: 2, backbone: id === 2 ? 'resnet50' : 'mobilenetv2', weights: 'imagenet', status, backend: 'cpu', startedAt: '2026-12-02T10:00:00Z', finishedAt: null, accuracy, error: null,
});
const detail = (s: RunSummary, evaluation: EvaluationDto | null): RunDetail => ({ ...s, config: {}, epochs: [], evaluation, engineNotes: [], dir: `/runs/${s.id}`, modelDir: s.status === 'completed' ? `/runs/${s.id}/model` : null });

function engine(more: Partial<EngineHandlers> = {}, choices: Record<string, unknown> = { backbone: 'mobilenetv2' }) {
  const runs = [summary(1, 0.85), summary(2, 0.95), summary(3, null), summary(5, null, 'failed')];
  const evals: Record<number, EvaluationDto | null> = { 1: ev1, 2: evaluation(0.95, [wrong(4, 'wren/w4.jpg', 1, 0.7)]), 3: null, 5: null };
  return fakeEngine({
    ...wizardOf(4, choices, 'evaluate'),
    'runs.list': async () => runs,
    'runs.get': async ({ id }) => detail(runs.find((r) => r.id === id)!, evals[id]),
    'datasets.get': async ({ id }) => DatasetDetailSchema.parse({
      id, projectId: 4, root: '/data/birds', name: 'birds', layout: 'class-folders', classes: classNames, classCounts: { robin: 55, wren: 45 }, images: 100, userSplits: {}, skipped: [], duplicates: [], similar: [], findings: [], excluded: [], scannedAt: null,
      split: { settings: { validation: 0.2, test: 0.2, seed: 42 }, counts: {}, warnings: [], classWeights: {}, leaks: [], leaksFixed: true },
    }),
    'fs.thumbnails': async ({ paths }) => paths.map((path) => ({ path, dataUrl: `data:image/png;base64,${btoa(path)}` })),
    'runs.confidences': async ({ id }) => ({ runId: id, split: 'validation', confidence: [0.4, 0.7, 0.9], correct: [false, true, true], threshold: null }),
    'eval.run': async () => evaluation(0.75, []),
    ...more,
  });
}

async function mount() {
  await project.open(birds);
  render(EvaluateStep);
  await waitFor(() => expect(screen.getByTestId('runs')).toBeTruthy());
}

const rowsOf = (el: HTMLElement) => [...el.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td,th')].map((c) => c.textContent?.trim()));

afterEach(async () => {
  toasts.items = [];
  project.close();
  await project.flushed();
  wizard.go('evaluate');
});

describe('EvaluateStep', () => {
  it('shows the first completed run’s metrics, per-class table and misclassified images, and compares the evaluated runs', async () => {
    const fake = engine();
    await mount();
    await waitFor(() => expect(screen.getByTestId('accuracy').textContent).toBe('85.0%'));
    expect(rowsOf(screen.getByTestId('runs')).map((r) => r.slice(0, 5))).toEqual([
      ['Run 1', 'mobilenetv2', 'completed', '85.0%', 'cpu'],
      ['Run 2', 'resnet50', 'completed', '95.0%', 'cpu'],
      ['Run 3', 'mobilenetv2', 'completed', '–', 'cpu'],
      ['Run 5', 'mobilenetv2', 'failed', '–', 'cpu'],
    ]);
    expect(screen.getByRole('button', { name: 'Run 1' }).getAttribute('aria-pressed')).toBe('true');
    expect(fake.inputs('runs.list')).toEqual([{ projectId: 4 }]);
    expect(fake.inputs('datasets.get')).toEqual([{ id: 2 }]);
    expect(screen.getByTestId('top5').textContent).toBe('100.0%');
    expect(screen.getByTestId('eval-n').textContent).toBe('20');
    expect(screen.getByTestId('metrics').textContent).toContain('Macro F10.850');
    expect(screen.getByTestId('metrics').textContent).toContain('Calibration error (ECE)0.042');
    expect(rowsOf(screen.getByTestId('per-class'))).toEqual([
      ['robin', '0.900', '0.818', '0.857', '11'],
      ['wren', '0.800', '0.889', '0.842', '9'],
      ['macro', '0.850', '0.854', '0.850', '20'],
    ]);

    // Misclassified: dataset-relative ids are read under the dataset's folder, absolute ones as they are.
    const grid = screen.getByRole('list', { name: 'Misclassified images' });
    await waitFor(() => expect(grid.querySelectorAll('img')).toHaveLength(3));
    expect(fake.inputs('fs.thumbnails')).toEqual([{ paths: ['/data/birds/robin/r3.jpg', '/data/birds/robin/r7.jpg', '/mnt/extra/w12.jpg'], size: 80 }]);
    expect(screen.getByText('Misclassified images (3)')).toBeTruthy();
    expect([...grid.querySelectorAll('img')].map((i) => i.getAttribute('alt'))).toEqual(['robin → wren, 91% sure; r3.jpg', 'robin → wren, 62% sure; r7.jpg', 'wren → robin, 55% sure; w12.jpg']);
    expect(grid.querySelector('img')!.getAttribute('src')).toBe(`data:image/png;base64,${btoa('/data/birds/robin/r3.jpg')}`);

    // Runs 1 and 2 have test accuracies: they are put side by side.
    await waitFor(() => expect(screen.getByTestId('run-compare')).toBeTruthy());
    expect(within(screen.getByTestId('run-compare')).getAllByRole('row')[0].textContent).toContain('Run 2 (resnet50)');
  });

  it('switches to the run the user picks and remembers it for the project', async () => {
    const fake = engine();
    await mount();
    await waitFor(() => expect(screen.getByTestId('accuracy').textContent).toBe('85.0%'));
    await fireEvent.click(screen.getByRole('button', { name: 'Run 2' }));
    await waitFor(() => expect(screen.getByTestId('accuracy').textContent).toBe('95.0%'));
    expect(screen.getByRole('button', { name: 'Run 2' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByText('Misclassified images (1)')).toBeTruthy();
    await project.flushed();
    expect(fake.inputs('wizard.save').filter((s) => s.choices).at(-1)?.choices).toMatchObject({ runId: 2 });
  });

  it('evaluates a completed run that has no evaluation yet', async () => {
    const fake = engine({}, { backbone: 'mobilenetv2', runId: 3 });
    await mount();
    await waitFor(() => expect(screen.getByText(/Run 3 has no evaluation yet \(completed\)\./)).toBeTruthy());
    expect(screen.queryByTestId('metrics')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Evaluate now' }));
    await waitFor(() => expect(screen.getByTestId('accuracy').textContent).toBe('75.0%'));
    expect(fake.inputs('eval.run')).toEqual([{ runId: 3 }]);
    expect(screen.getByText('None: every test image was classified correctly.')).toBeTruthy();
  });

  it('opens a confusion cell’s images and retrains from there, following the new run on the Train step', async () => {
    const fake = engine({
      'eval.cell': async ({ runId, label, predicted, offset = 0 }) => ({ runId, datasetId: 2, root: '/data/birds', label, predicted, total: 2, offset, items: [] }),
      'train.retrain': async ({ runId }) => ({ runId: 9, sourceRunId: runId }),
    });
    await mount();
    await waitFor(() => expect(screen.getByTestId('accuracy').textContent).toBe('85.0%'));
    await fireEvent.click(screen.getByRole('button', { name: '2 robin images predicted as wren' }));
    const cell = await screen.findByTestId('cell-images');
    expect(within(cell).getByRole('heading').textContent).toBe('2 × true robin, predicted wren');
    await waitFor(() => expect(fake.inputs('eval.cell')).toEqual([{ runId: 1, label: 0, predicted: 1, offset: 0, limit: 24, order: 'desc' }]));
    await fireEvent.click(screen.getByTestId('retrain'));
    await waitFor(() => expect(wizard.current).toBe('train'));
    expect(fake.inputs('train.retrain')).toEqual([{ runId: 1 }]);
    expect(training.runId).toBe(9);
    expect(training.log.at(-1)).toBe('run 9 started: retrain of run 1 with the same settings');
    expect(project.choices.runId).toBe(9);
  });

  it('asks for a trained run when the project has none', async () => {
    const fake = engine({ 'runs.list': async () => [] });
    await project.open(birds);
    render(EvaluateStep);
    await waitFor(() => expect(fake.inputs('runs.list')).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByText(/a trained run/)).toBeTruthy();
    expect(fake.inputs('runs.get')).toEqual([]);
    expect(screen.queryByTestId('runs')).toBeNull();
  });
});
