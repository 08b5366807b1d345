// SPDX-License-Identifier: MIT
// The Classify step in browser mode: a folder chosen through the confined browser, the exact
// classify.start payload from the form, the finished job's summary and results, and what the
// user does with them (filter, correct, export, organise, undo, reopen an earlier job). The engine
// keeps one job in memory the way the classify service does (corrections change the counts).
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeEngine, wizardOf } from '../../../../test/renderer-engine';
import type { ClassifyJobDto, ClassifyResultDto } from '../../../shared/dto/classify';
import type { RunSummary } from '../../../shared/dto/train';
import type { EngineHandlers } from '../../../shared/ipc/contract';
import { project } from '../state/project.svelte';
import { toasts } from '../state/toasts.svelte';
import ClassifyStep from './ClassifyStep.svelte';

const birds = { id: 4, name: 'Birds', createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z', settings: {} };
const run = (id: number, threshold: number | null = null): RunSummary => ({
  id, projectId: 4, datasetId: 2, backbone: 'mobilenetv2', weights: 'imagenet', status: 'completed', backend: 'cpu', startedAt: '2026-12-02T10:00:00Z', finishedAt: null, accuracy: 0.9, error: null, threshold,
});
const listing = { path: '/home/ana', parent: null, home: '/home/ana', roots: ['/home/ana'], folders: [{ name: 'inbox', path: '/home/ana/inbox', images: 3, folders: 1 }], images: 0, truncated: false };
const res = (path: string, label: string | null, confidence: number): ClassifyResultDto => ({
  path, label, modelLabel: label, confidence, topk: label ? [{ label, p: confidence }] : [], unsure: confidence < 0.5, corrected: false, problem: null, sha256: null,
});

function engine(opts: { runs?: RunSummary[]; earlier?: ClassifyJobDto[] } = {}, more: Partial<EngineHandlers> = {}) {
  let results = [res('a.jpg', 'robin', 0.97), res('sub/b.jpg', 'wren', 0.81), res('c.jpg', 'robin', 0.42)];
  let job: ClassifyJobDto | undefined;
  const withCounts = (j: ClassifyJobDto): ClassifyJobDto => {
    const byLabel: Record<string, number> = {};
    for (const r of results) if (r.label && !(r.unsure && !r.corrected)) byLabel[r.label] = (byLabel[r.label] ?? 0) + 1;
    return { ...j, counts: { total: 3, classified: 3, problems: 0, unsure: results.filter((r) => r.unsure && !r.corrected).length, corrected: results.filter((r) => r.corrected).length, byLabel } };
  };
  const jobs = () => [...(opts.earlier ?? []), ...(job ? [job] : [])].map(withCounts);
  return fakeEngine({
    ...wizardOf(4, { backbone: 'mobilenetv2' }, 'classify'),
    'runs.list': async () => opts.runs ?? [run(1, 0.8), run(2)],
    'projects.list': async () => [birds],
    'fs.list': async ({ path }) => (path ? { ...listing, path, parent: '/home/ana', folders: [] } : listing),
    'classify.jobs': async () => jobs(),
    'classify.start': async ({ model, dir, recursive = false, topK = 5, threshold = 0.5 }) => {
      job = { id: 7, status: 'completed', root: dir!, model: `run:${model}`, modelKey: `run:${model}`, recursive, topK, threshold, labels: ['robin', 'wren'], engine: 'onnxruntime', fallbackReason: null, progress: {}, counts: { total: 0, classified: 0, problems: 0, unsure: 0, corrected: 0, byLabel: {} }, organize: [], error: null, createdAt: '2026-12-03T16:00:00Z', updatedAt: '2026-12-03T16:00:05Z' };
      return { jobId: 7, resumed: false };
    },
    'classify.status': async ({ jobId }) => jobs().find((j) => j.id === jobId)!,
    'classify.results': async ({ label }) => {
      const items = label === 'unsure' ? results.filter((r) => r.unsure && !r.corrected) : label ? results.filter((r) => r.label === label) : results;
      return { total: items.length, items };
    },
    'fs.thumbnails': async ({ paths }) => paths.map((path) => ({ path, dataUrl: `data:image/png;base64,${btoa(path)}` })),
    'classify.correct': async ({ path, label }) => {
      results = results.map((r) => (r.path === path ? { ...r, label: label ?? r.modelLabel, corrected: label !== null } : r));
      return results.find((r) => r.path === path)!;
    },
    'classify.export': async ({ out }) => ({ path: out, rows: 3, format: out.endsWith('.json') ? 'json' : 'csv' }),
    'classify.organize': async ({ dest, mode }) => ({ mode, dest, logPath: `${dest}/.transfer-studio-organize-1.json`, done: 3, counts: { robin: 1, wren: 1, unsure: 1 }, skipped: [], skippedCount: 0 }),
    'classify.undo': async ({ logPath }) => ({ logPath: logPath!, restored: 3, skipped: [] }),
    ...more,
  });
}

async function mount() {
  await project.open(birds);
  render(ClassifyStep);
  await waitFor(() => expect(screen.getByTestId('run-select')).toBeTruthy());
}

async function chooseInbox() {
  await fireEvent.click(screen.getByRole('button', { name: 'Browse folders…' }));
  await fireEvent.click(await screen.findByRole('button', { name: 'Open inbox' }));
  await screen.findByRole('button', { name: '⬑ Up one level' });
  await fireEvent.click(screen.getByRole('button', { name: 'Use this folder' }));
  await waitFor(() => expect(screen.getByTestId('classify-folder').textContent).toBe('/home/ana/inbox'));
}

const number = (name: string) => screen.getByLabelText(new RegExp(`^${name}`)) as HTMLInputElement;
/** The summary line, with each per-class chip as "class: n". */
const summaryText = () => {
  const p = screen.getByTestId('classify-summary').querySelector('p')!;
  const chips = [...p.querySelectorAll('.chip')].map((c) => c.textContent);
  return [p.textContent!.replace(chips.join(''), '').replace(/\s+/g, ' ').trim(), ...chips].join(' | ');
};

afterEach(async () => {
  toasts.items = [];
  project.close();
  await project.flushed();
});

describe('ClassifyStep', () => {
  it('classifies the chosen folder with the form’s settings and shows the finished job and its results', async () => {
    const fake = engine();
    await mount();
    const classify = screen.getByRole('button', { name: 'Classify' }) as HTMLButtonElement;
    expect(classify.disabled).toBe(true);
    expect(number('Unsure below').value).toBe('50');
    // The newest run is the default; run 1 has a threshold chosen on the Evaluate step: the field starts there.
    expect((screen.getByTestId('run-select') as HTMLSelectElement).value).toBe('2');
    await fireEvent.change(screen.getByTestId('run-select'), { target: { value: '1' } });
    expect(number('Unsure below').value).toBe('80');
    await chooseInbox();
    await fireEvent.click(screen.getByTestId('recursive'));
    await fireEvent.input(number('Top classes'), { target: { value: '3' } });
    await fireEvent.input(number('Unsure below'), { target: { value: '70' } });
    await fireEvent.click(classify);
    await waitFor(() => expect(screen.getByTestId('classify-summary')).toBeTruthy());
    expect(fake.inputs('classify.start')).toEqual([{ model: '1', dir: '/home/ana/inbox', recursive: true, topK: 3, threshold: 0.7 }]);
    expect(summaryText()).toBe('Job 7 completed on onnxruntime: 3 classified (sub-folders included), 1 unsure, 0 problems, 0 corrected. | robin: 1 | wren: 1');
    expect(fake.inputs('classify.results')).toEqual([{ jobId: 7, limit: 120 }]);
    await waitFor(() => expect(document.querySelectorAll('li[data-path] img')).toHaveLength(3));
    expect(fake.inputs('fs.thumbnails')).toEqual([{ paths: ['/home/ana/inbox/a.jpg', '/home/ana/inbox/sub/b.jpg', '/home/ana/inbox/c.jpg'], size: 80 }]);
    expect(screen.getByTestId('results-total').textContent).toBe('3 shown');
    // The finished job is listed with the earlier ones.
    expect([...((await screen.findByTestId('earlier-jobs')) as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['open one to correct or export…', 'Job 7: inbox with run 1, 3 files (sub-folders), completed']);

    await fireEvent.change(screen.getByLabelText('Class'), { target: { value: 'unsure' } });
    await waitFor(() => expect(screen.getByTestId('results-total').textContent).toBe('1 shown'));
    expect(fake.inputs('classify.results').at(-1)).toEqual({ jobId: 7, label: 'unsure', limit: 120 });
    expect([...document.querySelectorAll('li[data-path]')].map((li) => li.getAttribute('data-path'))).toEqual(['c.jpg']);
  });

  it('corrects a result, then exports, organises and undoes with the job’s ids and the chosen paths', async () => {
    const fake = engine();
    await mount();
    await chooseInbox();
    await fireEvent.click(screen.getByRole('button', { name: 'Classify' }));
    await waitFor(() => expect(screen.getByTestId('classify-summary')).toBeTruthy());

    await fireEvent.change(await screen.findByLabelText('Correct c.jpg'), { target: { value: 'wren' } });
    await waitFor(() => expect(screen.getByTestId('corrected-count').textContent).toBe('1'));
    expect(fake.inputs('classify.correct')).toEqual([{ jobId: 7, path: 'c.jpg', label: 'wren' }]);
    expect(summaryText()).toBe('Job 7 completed on onnxruntime: 3 classified, 0 unsure, 0 problems, 1 corrected. | robin: 1 | wren: 2');

    // Export: the file next to the folder, its extension the button's.
    const file = screen.getByLabelText('Export file') as HTMLInputElement;
    expect(file.value).toBe('/home/ana/inbox-results.csv');
    await fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    await waitFor(() => expect(screen.getByTestId('exported').textContent).toBe('Wrote 3 rows to /home/ana/inbox-results.json.'));
    expect(fake.inputs('classify.export')).toEqual([{ jobId: 7, out: '/home/ana/inbox-results.json' }]);
    expect(file.value).toBe('/home/ana/inbox-results.json');

    const into = screen.getByLabelText('Into') as HTMLInputElement;
    expect(into.value).toBe('/home/ana/inbox-sorted');
    await fireEvent.click(screen.getByRole('radio', { name: 'copy' }));
    const organise = screen.getByRole('button', { name: 'Organise' }) as HTMLButtonElement;
    await fireEvent.click(organise);
    await waitFor(() => expect(screen.getByTestId('organized').textContent).toBe('3 files copied into /home/ana/inbox-sorted: robin 1, wren 1, unsure 1.'));
    expect(fake.inputs('classify.organize')).toEqual([{ jobId: 7, dest: '/home/ana/inbox-sorted', mode: 'copy' }]);
    expect(organise.disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(screen.getByTestId('undone').textContent).toBe('Undone: 3 files restored.'));
    expect(fake.inputs('classify.undo')).toEqual([{ jobId: 7, logPath: '/home/ana/inbox-sorted/.transfer-studio-organize-1.json' }]);
    expect(organise.disabled).toBe(false);
    expect(toasts.items.map((t) => t.text)).toEqual(['Wrote 3 results to /home/ana/inbox-results.json', 'Copied 3 files into /home/ana/inbox-sorted', 'Restored 3 files']);
  });

  it('reopens an earlier job with its folder, run and settings in the form', async () => {
    const earlier: ClassifyJobDto = {
      id: 3, status: 'completed', root: '/home/ana/old', model: 'run:1', modelKey: 'run:1', recursive: true, topK: 2, threshold: 0.65, labels: ['robin', 'wren'], engine: 'tfjs', fallbackReason: null, progress: {},
      counts: { total: 3, classified: 3, problems: 0, unsure: 0, corrected: 0, byLabel: {} }, organize: [], error: null, createdAt: '2026-12-01T09:00:00Z', updatedAt: '2026-12-01T09:01:00Z',
    };
    const fake = engine({ runs: [run(1), run(2, 0.8)], earlier: [earlier] });
    await mount();
    // The project's newest run is the default; the job was classified with run 1.
    expect((screen.getByTestId('run-select') as HTMLSelectElement).value).toBe('2');
    await fireEvent.change(await screen.findByTestId('earlier-jobs'), { target: { value: '3' } });
    await waitFor(() => expect(screen.getByTestId('classify-summary')).toBeTruthy());
    expect(screen.getByTestId('classify-folder').textContent).toBe('/home/ana/old');
    expect((screen.getByTestId('run-select') as HTMLSelectElement).value).toBe('1');
    expect((screen.getByTestId('recursive') as HTMLInputElement).checked).toBe(true);
    expect(number('Top classes').value).toBe('2');
    expect(number('Unsure below').value).toBe('65');
    expect(fake.inputs('classify.status')).toEqual([{ jobId: 3 }]);
    await waitFor(() => expect(fake.inputs('fs.thumbnails')).toHaveLength(1));
    expect(fake.inputs('fs.thumbnails')[0].paths[0]).toBe('/home/ana/old/a.jpg');
    expect(summaryText()?.startsWith('Job 3 completed on tfjs: 3 classified (sub-folders included)')).toBe(true);
  });
});
