// SPDX-License-Identifier: MIT
// Dataset health as the import reports it (DatasetDetail): each kind of finding with its files,
// what the split did about leaks, and the thumbnails asked of the engine in batches it accepts.
import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { fakeEngine } from '../../../../test/renderer-engine';
import { DatasetDetailSchema, type DatasetDetail, type Leak } from '../../../shared/dto/train';
import HealthFindings from './HealthFindings.svelte';

/** A dataset as datasets.get returns it, validated by the contract's schema so the fixture cannot drift. */
function dataset(patch: Partial<DatasetDetail> = {}, split: Partial<DatasetDetail['split']> = {}): DatasetDetail {
  return DatasetDetailSchema.parse({
    id: 5, projectId: 1, root: '/data/leaves', name: 'leaves', layout: 'class-folders', classes: ['oak', 'elm', 'ash'],
    classCounts: { oak: 120, elm: 90, ash: 4 }, images: 214, userSplits: {}, skipped: [], duplicates: [],
    similar: [], findings: [], excluded: [], scannedAt: '2026-12-03T15:00:00Z',
    ...patch,
    split: {
      settings: { validation: 0.2, test: 0.1, seed: 42 }, counts: {}, warnings: [], classWeights: {}, leaks: [], leaksFixed: true,
      ...split,
    },
  });
}

const exactLeak: Leak = { kind: 'exact', paths: ['oak/a.jpg', 'oak/a copy.jpg'], before: { 'oak/a.jpg': 'train', 'oak/a copy.jpg': 'test' }, keptIn: 'train', moved: true };
const nearLeak: Leak = { kind: 'near', paths: ['elm/b.jpg', 'elm/b2.jpg'], before: { 'elm/b.jpg': 'validation', 'elm/b2.jpg': 'train' }, keptIn: 'validation', moved: false };
const findings: DatasetDetail['findings'] = [
  { code: 'TINY_CLASS', className: 'ash', count: 4, message: 'Class “ash” has only 4 images: collect at least 20.' },
  { code: 'IMBALANCED', className: 'ash', count: 4, message: 'Class “ash” has 30× fewer images than “oak”.' },
];
const similar: DatasetDetail['similar'] = [
  { kind: 'exact', paths: ['oak/c.jpg', 'elm/c.jpg'], classes: ['oak', 'elm'], crossClass: true },
  { kind: 'near', paths: ['ash/d.jpg', 'ash/d-crop.jpg'], classes: ['ash'], crossClass: false },
];

const rows = (testId: string) => screen.queryAllByTestId(testId).map((li) => li.textContent?.replace(/\s+/g, ' ').trim());

function previews() {
  return fakeEngine({
    'datasets.preview': async ({ paths = [] }) => paths.map((path) => ({ path, className: path.split('/')[0], dataUrl: `data:image/png;base64,${btoa(path)}` })),
  });
}

describe('HealthFindings', () => {
  it('says the dataset is healthy when the import found nothing, and asks for no previews', () => {
    const fake = previews();
    render(HealthFindings, { dataset: dataset() });
    expect(screen.getByText('No duplicates, no leaks between splits, no tiny or imbalanced classes.')).toBeTruthy();
    expect(screen.queryAllByRole('listitem')).toHaveLength(0);
    expect(fake.calls).toEqual([]);
  });

  it('lists each kind of finding with its files and what the split did', async () => {
    const fake = previews();
    const excluded = Array.from({ length: 12 }, (_, i) => `oak/x${i}.jpg`);
    render(HealthFindings, { dataset: dataset({ findings, similar, excluded }, { leaks: [exactLeak, nearLeak] }) });
    expect(screen.queryByText(/No duplicates/)).toBeNull();
    expect(rows('class-finding')).toEqual(findings.map((f) => f.message));

    expect(screen.getByTestId('leaks-title').textContent?.trim()).toBe('2 leaks between train, validation and test');
    expect(screen.queryByText(/turned off/)).toBeNull();
    const leaks = screen.getAllByTestId('leak');
    expect(leaks.map((l) => l.dataset.kind)).toEqual(['exact', 'near']);
    // The copy that was in test moved to train; the near pair stays where the split put it.
    expect(rows('leak')).toEqual(['identical a.jpg train a copy.jpg test → train fixed: all in train', 'near-identical b.jpg validation b2.jpg train not moved']);
    expect(leaks[0].querySelector('.ok')?.textContent).toBe('fixed: all in train');
    expect(leaks[1].querySelector('.bad')?.textContent).toBe('not moved');

    expect(screen.getByText('2 groups of identical or near-identical images')).toBeTruthy();
    expect(rows('similar')).toEqual(['identical, different classes oak/c.jpg elm/c.jpg', 'near-identical ash/d.jpg ash/d-crop.jpg']);
    expect(screen.getAllByTestId('similar').map((g) => g.dataset.kind)).toEqual(['exact', 'near']);

    expect(screen.getByTestId('excluded').textContent).toBe(`12 image(s) excluded from training: ${excluded.slice(0, 10).join(', ')}, …`);

    // Every shown image gets its thumbnail, asked for once, by dataset-relative path.
    await waitFor(() => expect(document.querySelectorAll('img')).toHaveLength(8));
    expect(fake.inputs('datasets.preview')).toEqual([
      { id: 5, paths: ['oak/c.jpg', 'elm/c.jpg', 'ash/d.jpg', 'ash/d-crop.jpg', 'oak/a.jpg', 'oak/a copy.jpg', 'elm/b.jpg', 'elm/b2.jpg'], n: 64, size: 64 },
    ]);
    const img = screen.getByAltText('oak/a copy.jpg');
    expect(img.getAttribute('src')).toBe(`data:image/png;base64,${btoa('oak/a copy.jpg')}`);
  });

  it('says when leaks were only reported, shows the first 20 and asks for thumbnails 64 at a time', async () => {
    const fake = previews();
    // Four copies each: the 20 shown leaks have 80 images, more than one preview call takes.
    const leaks: Leak[] = Array.from({ length: 25 }, (_, i) => {
      const paths = ['', 'b', 'c', 'd'].map((x) => `oak/l${i}${x}.jpg`);
      return { kind: 'exact', paths, before: { [paths[0]]: 'train', [paths[1]]: 'validation', [paths[2]]: 'test', [paths[3]]: 'train' }, keptIn: 'train', moved: false };
    });
    render(HealthFindings, { dataset: dataset({}, { leaks, leaksFixed: false }) });
    expect(screen.getByTestId('leaks-title').textContent?.trim()).toBe('25 leaks between train, validation and test');
    expect(screen.getByText(/Identical copies are moved into one split \(turned off\);/)).toBeTruthy();
    expect(screen.getAllByTestId('leak')).toHaveLength(20);
    expect(screen.getByText('… and 5 more (transfer-studio datasets import --json lists all).')).toBeTruthy();
    // Not moved: no arrow to a split the file is not in.
    expect(rows('leak')[0]).toBe('identical l0.jpg train l0b.jpg validation l0c.jpg test l0d.jpg train not moved');

    await waitFor(() => expect(document.querySelectorAll('img')).toHaveLength(80));
    const asked = fake.inputs('datasets.preview');
    expect(asked.map((a) => a.paths!.length)).toEqual([64, 16]);
    expect(asked.flatMap((a) => a.paths)).toEqual(leaks.slice(0, 20).flatMap((l) => l.paths));
    expect(screen.queryByAltText('oak/l20.jpg')).toBeNull();
  });
});
