// SPDX-License-Identifier: MIT
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photoPng, resizedCopy } from '../../test/fixtures/photos';
import { dispatch } from '../shared/ipc/dispatch';
import type { Input, Method, Output } from '../shared/ipc/contract';
import { openDatabase } from '../store/db';
import { createEngineApi } from './api';
import { splitImages } from './train-plan';
import { getDataset, listImages } from '../store/repos/datasets';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-health-'));
const db = openDatabase(path.join(tmp, 'db.sqlite'));
const api = createEngineApi({ db, mode: 'cli' });
const call = <M extends Method>(m: M, input: Input<M>) => dispatch(api, m, input) as Promise<Output<M>>;
const root = path.join(tmp, 'photos');
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

beforeAll(async () => {
  // 12 distinct photo-like images per class; cat/00 also appears resized and re-encoded as
  // cat/00-small.jpg, and dog/05 appears (resized) among the cats: a labelling mistake.
  for (const [ci, c] of ['cat', 'dog'].entries()) {
    await mkdir(path.join(root, c), { recursive: true });
    for (let i = 0; i < 12; i++) await writeFile(path.join(root, c, `${String(i).padStart(2, '0')}.png`), await photoPng(48, 100 * (ci + 1) + i));
  }
  await writeFile(path.join(root, 'cat', '00-small.jpg'), await resizedCopy(await photoPng(48, 100), 30));
  await writeFile(path.join(root, 'cat', 'really-a-dog.jpg'), await resizedCopy(await photoPng(48, 205), 40));
  await mkdir(path.join(root, 'bird'));
  for (let i = 0; i < 2; i++) await writeFile(path.join(root, 'bird', `${i}.png`), await photoPng(48, 300 + i));
});

describe('dataset health', () => {
  it('finds near duplicates at import, cross-class first, and flags tiny and imbalanced classes', async () => {
    const r = await call('datasets.import', { root });
    expect(r.dataset.similar).toEqual([
      { kind: 'near', paths: ['cat/really-a-dog.jpg', 'dog/05.png'], classes: ['cat', 'dog'], crossClass: true },
      { kind: 'near', paths: ['cat/00-small.jpg', 'cat/00.png'], classes: ['cat'], crossClass: false },
    ]);
    expect(r.dataset.findings.map((f) => [f.code, f.className, f.count])).toEqual([['TINY_CLASS', 'bird', 2]]);
    expect(r.dataset.findings[0].message).toContain('only 2 images');
    // Hashes are cached by content: a second import decodes nothing and finds the same groups.
    const again = await call('datasets.import', { root });
    expect(again.dataset.similar).toEqual(r.dataset.similar);
    expect((db.prepare('SELECT COUNT(*) AS n FROM image_hashes').get() as { n: number }).n).toBe(28);
  });

  it('keeps every group in one split by default and reports what it moved', async () => {
    const d = getDataset(db, 1)!;
    const images = listImages(db, 1);
    // Find a seed under which the plain split separates a group, so the fix has work to do.
    let seed = 1;
    let found = splitImages(d, images, { seed, fixLeakage: false });
    while (!found.leaks.length && seed < 200) found = splitImages(d, images, { seed: ++seed, fixLeakage: false });
    expect(found.leaks.length).toBeGreaterThan(0);
    const leak = found.leaks[0];
    expect(new Set(Object.values(leak.before)).size).toBeGreaterThan(1);

    const detail = await call('datasets.get', { id: 1, split: { seed } });
    expect(detail.split.leaksFixed).toBe(true);
    expect(detail.split.leaks.map((l) => l.paths)).toEqual(found.leaks.map((l) => l.paths));
    const fixed = splitImages(d, images, { seed });
    for (const g of detail.similar) {
      const splits = new Set(g.paths.map((p) => (['train', 'validation', 'test'] as const).find((s) => fixed.result[s].includes(p))));
      expect(splits.size, g.paths.join()).toBe(1);
    }
    expect(fixed.result[leak.keptIn]).toEqual(expect.arrayContaining(leak.paths));
    const total = (['train', 'validation', 'test'] as const).reduce((a, s) => a + fixed.result[s].length, 0);
    expect(total).toBe(28);

    const reported = await call('datasets.get', { id: 1, split: { seed, fixLeakage: false } });
    expect(reported.split.leaksFixed).toBe(false);
    expect(reported.split.leaks).toHaveLength(found.leaks.length);
  });

  it('shows thumbnails of named images, and names a missing one', async () => {
    const thumbs = await call('datasets.preview', { id: 1, paths: ['cat/00-small.jpg', 'cat/00.png'], n: 2, size: 32 });
    expect(thumbs.map((t) => t.path)).toEqual(['cat/00-small.jpg', 'cat/00.png']);
    expect(thumbs[0].dataUrl).toMatch(/^data:image\/png;base64,/);
    await expect(call('datasets.preview', { id: 1, paths: ['cat/nope.png'], n: 1 })).rejects.toThrow(/no image "cat\/nope.png"/);
  });
});
