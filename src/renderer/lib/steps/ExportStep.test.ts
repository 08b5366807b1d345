// SPDX-License-Identifier: MIT
// The Export step in browser mode: which run it starts on, the formats and their quantisation, the
// folder chosen through the confined browser (fs.list / fs.choose), the exact export.run payload
// and what the user sees of the result and of earlier exports.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeEngine, wizardOf } from '../../../../test/renderer-engine';
import type { ExportRecordDto } from '../../../shared/dto/export';
import type { RunSummary } from '../../../shared/dto/train';
import { AppError } from '../../../shared/errors';
import type { EngineHandlers } from '../../../shared/ipc/contract';
import { project } from '../state/project.svelte';
import { toasts } from '../state/toasts.svelte';
import ExportStep from './ExportStep.svelte';

const birds = { id: 4, name: 'Bird photos', createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z', settings: {} };
const run = (id: number, projectId: number | null, status: RunSummary['status'] = 'completed'): RunSummary => ({
  id, projectId, datasetId: 2, backbone: 'mobilenetv2', weights: 'imagenet', status, backend: 'cpu', startedAt: '2026-12-02T10:00:00Z', finishedAt: '2026-12-02T10:05:00Z', accuracy: 0.875, error: null,
});
const earlier: ExportRecordDto = { id: 11, runId: 1, format: 'tfjs', path: '/home/ana/exports/Bird-photos-run1-tfjs', files: [{ path: 'model.json', bytes: 80, sha256: 'c'.repeat(64) }, { path: 'group1-shard1of1.bin', bytes: 9e6, sha256: 'd'.repeat(64) }], createdAt: '2026-12-02T11:00:00Z' };
const listing = { path: '/home/ana', parent: null, home: '/home/ana', roots: ['/home/ana'], folders: [{ name: 'exports', path: '/home/ana/exports', images: 0, folders: 0 }], images: 0, truncated: false };

function engine(more: Partial<EngineHandlers> = {}, runs = [run(1, 4), run(2, null), run(3, 4, 'failed')]) {
  return fakeEngine({
    ...wizardOf(4, { backbone: 'mobilenetv2' }, 'export'),
    'runs.list': async () => runs,
    'projects.list': async () => [birds],
    'export.list': async ({ runId }) => (runId === 1 ? [earlier] : []),
    'fs.list': async ({ path }) => (path ? { ...listing, path, parent: '/home/ana', folders: [] } : listing),
    'fs.choose': async ({ path }) => ({ path }),
    'export.run': async ({ runId, format, out, quantize }) => ({
      id: 12, runId: runId ?? null, format, path: out, notes: ['Inputs are 224×224 RGB in [0, 255]; the model rescales them.'],
      files: [{ path: `${out}/model.onnx`, bytes: 9_406_464, sha256: 'ab12'.repeat(16) }, { path: `${out}/labels.txt`, bytes: 14, sha256: 'ef'.repeat(32) }],
      parity: { maxAbsDiff: 1.2e-6, tolerance: 1e-4, runtime: 'onnxruntime-node' },
      ...(quantize ? { quantization: { mode: quantize, accuracyBefore: 0.875, accuracyAfter: 0.8625, maxAbsDiff: 0.01, bytesBefore: 9_406_464, bytesAfter: 2_451_000 } } : {}),
    }),
    ...more,
  });
}

async function mount() {
  await project.open(birds);
  render(ExportStep);
  await waitFor(() => expect(screen.getByTestId('export-history')).toBeTruthy());
}

async function chooseFolder() {
  await fireEvent.click(screen.getByRole('button', { name: 'Browse folders…' }));
  await fireEvent.click(await screen.findByRole('button', { name: 'Open exports' }));
  // The listing of exports (it has a way up) replaces the home folder's.
  await screen.findByRole('button', { name: '⬑ Up one level' });
  await fireEvent.click(screen.getByRole('button', { name: 'Use this folder' }));
  await waitFor(() => expect(screen.getByTestId('export-dest').textContent).toBe('/home/ana/exports'));
}

const exportButton = () => screen.getByRole('button', { name: 'Export' }) as HTMLButtonElement;
const quantiseOptions = () => [...(screen.getByLabelText('Quantise') as HTMLSelectElement).options].map((o) => o.textContent);

afterEach(async () => {
  toasts.items = [];
  project.close();
  await project.flushed();
});

describe('ExportStep', () => {
  it('asks for a project, then for a completed run, before offering an export', async () => {
    const fake = engine({}, [run(3, 4, 'failed')]);
    const view = render(ExportStep);
    expect(screen.getByText(/an open project/)).toBeTruthy();
    expect(fake.calls).toEqual([]);
    view.unmount();
    await project.open(birds);
    render(ExportStep);
    await waitFor(() => expect(fake.inputs('projects.list')).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByText(/a completed training run/)).toBeTruthy();
    expect(fake.inputs('export.list')).toEqual([]);
    expect(screen.queryByTestId('export-formats')).toBeNull();
  });

  it('starts on the project’s newest run with its earlier exports, and lists every format', async () => {
    const fake = engine();
    await mount();
    expect((screen.getByTestId('run-select') as HTMLSelectElement).value).toBe('1');
    expect(fake.inputs('export.list')).toEqual([{ runId: 1 }]);
    expect(screen.getByTestId('export-history').textContent).toContain('tfjs → /home/ana/exports/Bird-photos-run1-tfjs (2 files,');
    const rows = [...screen.getByTestId('export-formats').querySelectorAll('tr')].map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent?.trim()));
    expect(rows).toEqual([
      ['TensorFlow.js', 'web pages and Node.js', ''],
      ['Keras 3 (.keras)', 'Python: keras.saving.load_model', ''],
      ['Keras legacy (.h5)', 'older Keras and TensorFlow 2', ''],
      ['ONNX', 'ONNX Runtime: C#, C++, Java, mobile', 'optional float16 or int8'],
      ['TensorFlow Lite', 'Android, Raspberry Pi, microcontrollers', 'optional int8'],
      ['Training package', 'retrain elsewhere: labels, split manifest, script', ''],
    ]);
    expect((screen.getByRole('radio', { name: 'ONNX' }) as HTMLInputElement).checked).toBe(true);
    expect(quantiseOptions()).toEqual(['no (float32)', 'float16', 'int8']);
    await fireEvent.click(screen.getByRole('radio', { name: 'TensorFlow Lite' }));
    expect(quantiseOptions()).toEqual(['no (float32)', 'int8']);
    await fireEvent.click(screen.getByRole('radio', { name: 'Keras 3 (.keras)' }));
    expect(screen.queryByLabelText('Quantise')).toBeNull();
    // Another run: its own (no) earlier exports.
    await fireEvent.change(screen.getByTestId('run-select'), { target: { value: '2' } });
    await waitFor(() => expect(screen.queryByTestId('export-history')).toBeNull());
    expect(fake.inputs('export.list')).toEqual([{ runId: 1 }, { runId: 2 }]);
  });

  it('exports into the chosen folder with the exact payload and shows the files, parity and quantisation', async () => {
    const fake = engine();
    await mount();
    expect(screen.getByTestId('export-dest').textContent).toBe('no folder chosen');
    expect(exportButton().disabled).toBe(true);
    await chooseFolder();
    expect(fake.inputs('fs.list')).toEqual([{}, { path: '/home/ana/exports' }]);
    expect(fake.inputs('fs.choose')).toEqual([{ path: '/home/ana/exports' }]);
    expect(screen.queryByRole('button', { name: 'Use this folder' })).toBeNull();

    await fireEvent.change(screen.getByLabelText('Quantise'), { target: { value: 'int8' } });
    await fireEvent.click(screen.getByLabelText('one .zip file'));
    await fireEvent.click(exportButton());
    await waitFor(() => expect(screen.getByTestId('export-result')).toBeTruthy());
    expect(fake.inputs('export.run')).toEqual([{ runId: 1, format: 'onnx', out: '/home/ana/exports/Bird-photos-run1-onnx-int8.zip', zip: true, quantize: 'int8' }]);
    expect(screen.getByTestId('export-path').textContent).toBe('/home/ana/exports/Bird-photos-run1-onnx-int8.zip');
    const files = [...screen.getByTestId('export-result').querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent));
    expect(files).toEqual([['model.onnx', '9.41 MB', `${'ab12'.repeat(4)}…`], ['labels.txt', '14 B', `${'ef'.repeat(8)}…`]]);
    expect(screen.getByTestId('parity').textContent).toBe('Checked against the trained model with onnxruntime-node: largest difference 1.20e-6 (tolerance 1e-4).');
    expect(screen.getByText('Quantised to int8: 9.41 MB → 2.45 MB, accuracy 87.5% → 86.3%.')).toBeTruthy();
    expect(screen.getByText('Inputs are 224×224 RGB in [0, 255]; the model rescales them.')).toBeTruthy();
    // The history is read again, so the new export shows up there.
    expect(fake.inputs('export.list')).toEqual([{ runId: 1 }, { runId: 1 }]);
  });

  it('drops a quantisation the new format does not offer, from the payload and from the file name', async () => {
    const fake = engine();
    await mount();
    await chooseFolder();
    await fireEvent.change(screen.getByLabelText('Quantise'), { target: { value: 'float16' } });
    await fireEvent.click(screen.getByRole('radio', { name: 'TensorFlow Lite' }));
    await fireEvent.click(exportButton());
    await waitFor(() => expect(screen.getByTestId('export-result')).toBeTruthy());
    expect(fake.inputs('export.run')).toEqual([{ runId: 1, format: 'tflite', out: '/home/ana/exports/Bird-photos-run1-tflite' }]);
    expect(screen.queryByText(/Quantised to/)).toBeNull();
  });

  it('says which run and format failed, and why', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    engine({ 'export.run': async () => Promise.reject(new AppError('EXPORT_MISMATCH', 'The ONNX model differs from the trained one by 0.31 (tolerance 1e-4).')) });
    await mount();
    await chooseFolder();
    await fireEvent.click(exportButton());
    await waitFor(() => expect(toasts.items.map((t) => t.text)).toEqual(['Could not export run 1 as onnx. Pick another folder or format: The ONNX model differs from the trained one by 0.31 (tolerance 1e-4).']));
    expect(screen.queryByTestId('export-result')).toBeNull();
    expect(exportButton().disabled).toBe(false);
  });
});
