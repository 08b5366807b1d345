// SPDX-License-Identifier: MIT
// One confusion cell's images: what the user sees of each, and the fixes (relabel, exclude, trash,
// undo) as the exact calls the engine receives. The engine here keeps the fixes in memory the way
// fixes.apply / eval.cell do (an image's latest fix that is not undone comes back with it).
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { fakeEngine } from '../../../../test/renderer-engine';
import type { FixDto } from '../../../shared/dto/fixes';
import { AppError } from '../../../shared/errors';
import { toasts } from '../state/toasts.svelte';
import CellImages from './CellImages.svelte';

const classNames = ['cat', 'dog', 'fox'];
const ROOT = '/data/pets';
const DATASET = 3;

/** `n` images of true dog (1) predicted cat (0), confidence falling from 0.95. */
function engine(n = 3, opts: { noPreview?: string[] } = {}) {
  const paths = Array.from({ length: n }, (_, i) => `dog/img${String(i).padStart(2, '0')}.png`);
  const fixes = new Map<string, FixDto>();
  let nextId = 40;
  const fake = fakeEngine({
    'eval.cell': async ({ runId, label, predicted, offset = 0, limit = 50, order = 'desc' }) => {
      const all = paths.map((path, i) => ({ path, label, predicted, confidence: 0.95 - i * 0.01, scores: [0.95 - i * 0.01, 0.04 + i * 0.01, 0.01], fix: fixes.get(path) ?? null }));
      if (order === 'asc') all.reverse();
      return { runId, datasetId: DATASET, root: ROOT, label, predicted, total: all.length, offset, items: all.slice(offset, offset + limit) };
    },
    'fs.thumbnails': async ({ paths: files }) => files.map((path) => ({ path, dataUrl: opts.noPreview?.some((p) => path.endsWith(p)) ? null : `data:image/png;base64,${btoa(path)}` })),
    'fixes.apply': async (input) => {
      const name = input.path.split('/').at(-1)!;
      const fix: FixDto = {
        id: nextId++, datasetId: input.datasetId, action: input.action, path: input.path, fromClass: 'dog', createdAt: '2026-12-03T16:00:00Z', undoneAt: null,
        toClass: input.action === 'relabel' ? input.toClass : null,
        toPath: input.action === 'relabel' ? `${input.toClass}/${name}` : input.action === 'trash' ? `/home/ana/.transfer-studio/trash/${name}` : null,
      };
      fixes.set(input.path, fix);
      return fix;
    },
    'fixes.undo': async ({ id }) => {
      const [path, fix] = [...fixes].find(([, f]) => f.id === id)!;
      fixes.delete(path);
      return { ...fix, undoneAt: '2026-12-03T16:01:00Z' };
    },
  });
  return fake;
}

const item = (path: string) => document.querySelector<HTMLElement>(`li[data-path="${path}"]`)!;
const text = (el: Element | null) => el?.textContent?.replace(/\s+/g, ' ').trim();

function mount(onRetrain = () => undefined) {
  return render(CellImages, { runId: 7, classNames, cell: [1, 0] as [number, number], count: 3, onRetrain });
}

describe('CellImages', () => {
  it('shows each image of the cell with its file name, predicted class, confidence and thumbnail', async () => {
    const fake = engine(3, { noPreview: ['img02.png'] });
    mount();
    expect(screen.getByRole('heading').textContent).toBe('3 × true dog, predicted cat');
    expect(screen.getByTestId('cell-loading')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('cell-image')).toHaveLength(3));
    await waitFor(() => expect(document.querySelectorAll('[data-testid=cell-image] img')).toHaveLength(2));
    expect(fake.inputs('eval.cell')).toEqual([{ runId: 7, label: 1, predicted: 0, offset: 0, limit: 24, order: 'desc' }]);
    expect(fake.inputs('fs.thumbnails')).toEqual([{ paths: ['/data/pets/dog/img00.png', '/data/pets/dog/img01.png', '/data/pets/dog/img02.png'], size: 80 }]);
    const items = screen.getAllByTestId('cell-image');
    expect(items.map((li) => li.dataset.path)).toEqual(['dog/img00.png', 'dog/img01.png', 'dog/img02.png']);
    expect(items.map((li) => text(li.querySelector('.cap')))).toEqual(['img00.png', 'img01.png', 'img02.png']);
    expect(items.map((li) => text(li.querySelector('.muted')))).toEqual(['95% cat', '94% cat', '93% cat']);
    const img = item('dog/img00.png').querySelector('img')!;
    expect(img.getAttribute('alt')).toBe('dog/img00.png');
    expect(img.getAttribute('src')).toBe(`data:image/png;base64,${btoa('/data/pets/dog/img00.png')}`);
    // The engine could not read one: no broken image, a plain note.
    expect(item('dog/img02.png').querySelector('img')).toBeNull();
    expect(text(item('dog/img02.png').querySelector('.missing'))).toBe('no preview');
    // Relabelling offers the other classes only, the first of them preselected.
    const menu = screen.getByLabelText('New class for dog/img00.png') as HTMLSelectElement;
    expect([...menu.options].map((o) => o.value)).toEqual(['cat', 'fox']);
    expect(menu.value).toBe('cat');
    expect(screen.queryByRole('button', { name: 'Previous' })).toBeNull();
  });

  it('relabels to the chosen class, excludes and trashes with the image’s ids, and undoes a fix', async () => {
    const fake = engine(3);
    const onRetrain = vi.fn();
    mount(onRetrain);
    await waitFor(() => expect(screen.getAllByTestId('cell-image')).toHaveLength(3));
    expect(screen.getByTestId('retrain').classList.contains('primary')).toBe(false);

    await fireEvent.change(screen.getByLabelText('New class for dog/img00.png'), { target: { value: 'fox' } });
    await fireEvent.click(item('dog/img00.png').querySelector('.acts button')!);
    await waitFor(() => expect(text(item('dog/img00.png').querySelector('[data-testid=fix-state]'))).toBe('moved to fox'));
    const buttons = (path: string) => [...item(path).querySelectorAll('button')].map((b) => b.textContent);
    expect(buttons('dog/img00.png')).toEqual(['Undo']);
    expect(buttons('dog/img01.png')).toEqual(['Relabel', 'Exclude', 'Trash']);

    await fireEvent.click(screen.getAllByRole('button', { name: 'Exclude' })[0]);
    await waitFor(() => expect(text(item('dog/img01.png').querySelector('[data-testid=fix-state]'))).toBe('excluded from training'));
    await fireEvent.click(screen.getByRole('button', { name: 'Trash' }));
    await waitFor(() => expect(text(item('dog/img02.png').querySelector('[data-testid=fix-state]'))).toBe('in the trash'));

    expect(fake.inputs('fixes.apply')).toEqual([
      { action: 'relabel', datasetId: DATASET, path: 'dog/img00.png', toClass: 'fox' },
      { action: 'exclude', datasetId: DATASET, path: 'dog/img01.png' },
      { action: 'trash', datasetId: DATASET, path: 'dog/img02.png' },
    ]);
    // A moved file's thumbnail is read where it is now: under its new class, or in the trash.
    expect(fake.inputs('fs.thumbnails').flatMap((t) => t.paths)).toEqual([
      '/data/pets/dog/img00.png', '/data/pets/dog/img01.png', '/data/pets/dog/img02.png',
      '/data/pets/fox/img00.png',
      '/home/ana/.transfer-studio/trash/img02.png',
    ]);

    await fireEvent.click(item('dog/img00.png').querySelector('button')!);
    await waitFor(() => expect(item('dog/img00.png').querySelector('[data-testid=fix-state]')).toBeNull());
    expect(fake.inputs('fixes.undo')).toEqual([{ id: 40 }]);
    expect((screen.getByLabelText('New class for dog/img00.png') as HTMLSelectElement).value).toBe('fox');

    // After a fix the retrain button is the one to press.
    const retrain = screen.getByTestId('retrain');
    expect(retrain.classList.contains('primary')).toBe(true);
    await fireEvent.click(retrain);
    expect(onRetrain).toHaveBeenCalledTimes(1);
  });

  it('pages through a large cell and reorders it, starting again at the first page', async () => {
    const fake = engine(30);
    mount();
    await waitFor(() => expect(screen.getAllByTestId('cell-image')).toHaveLength(24));
    expect(screen.getByTestId('cell-range').textContent).toBe('1–24 of 30');
    expect((screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(screen.getAllByTestId('cell-image')).toHaveLength(6));
    expect(screen.getByTestId('cell-range').textContent).toBe('25–30 of 30');
    expect((screen.getByRole('button', { name: 'Next' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getAllByTestId('cell-image')[0].dataset.path).toBe('dog/img24.png');

    await fireEvent.change(screen.getByTestId('cell-order'), { target: { value: 'asc' } });
    await waitFor(() => expect(screen.getAllByTestId('cell-image')[0].dataset.path).toBe('dog/img29.png'));
    expect(screen.getByTestId('cell-range').textContent).toBe('1–24 of 30');
    expect(fake.inputs('eval.cell').map(({ offset, order }) => [offset, order])).toEqual([[0, 'desc'], [24, 'desc'], [0, 'asc']]);
  });

  it('says so when the engine cannot list the cell', async () => {
    fakeEngine({ 'eval.cell': async ({ runId }) => Promise.reject(new AppError('NOT_FOUND', `Run ${runId} has no evaluation`)) });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    mount();
    await waitFor(() => expect(toasts.items.map((t) => t.text)).toContain('Could not list the images of this cell: Run 7 has no evaluation'));
    expect(screen.getByTestId('cell-loading')).toBeTruthy();
  });
});
