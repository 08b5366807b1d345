// SPDX-License-Identifier: MIT
import { mkdtempSync, rmSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRgb, markedRgb, writeBadFiles, writeTinyDataset } from '../../test/fixtures/images';
import { dispatch } from '../shared/ipc/dispatch';
import type { Input, Method, Output } from '../shared/ipc/contract';
import { openDatabase } from '../store/db';
import { listImages } from '../store/repos/datasets';
import { createEngineApi } from './api';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-datasets-'));
const db = openDatabase(path.join(tmp, 'db.sqlite'));
const api = createEngineApi({ db, mode: 'cli' });
const call = <M extends Method>(m: M, input: Input<M>) => dispatch(api, m, input) as Promise<Output<M>>;
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('datasets service', () => {
  const root = path.join(tmp, 'photos');

  it('imports a folder, lists every bad file with its reason, and reports duplicates', async () => {
    await writeTinyDataset(root, { counts: { red: 12, green: 12, blue: 3 }, size: 16 });
    const bad = await writeBadFiles(root, 'red');
    // The same bytes under two classes: a labelling mistake the user must see.
    await writeFile(path.join(root, 'blue', 'copy-of-red-0.png'), await encodeRgb(markedRgb(16, 16, [220, 20, 20], 0), 16, 16, 'png'));
    const r = await call('datasets.import', { root });
    expect(r.reimport).toBe(false);
    expect(r.dataset.classes).toEqual(['blue', 'green', 'red']);
    expect(r.dataset.classCounts).toEqual({ blue: 4, green: 12, red: 12 });
    expect(r.dataset.images).toBe(28);
    for (const b of bad) {
      const s = r.dataset.skipped.find((x) => x.path === b.path);
      expect(s, b.path).toBeDefined();
      expect(s!.code).toBe(b.code);
      expect(s!.reason).toMatch(b.reason);
    }
    expect(r.dataset.skipped).toHaveLength(bad.length);
    const cross = r.dataset.duplicates.filter((g) => g.crossClass);
    expect(cross).toHaveLength(1);
    expect(cross[0].paths.sort()).toEqual(['blue/copy-of-red-0.png', 'red/0.png']);
    expect(listImages(db, r.dataset.id)).toHaveLength(28);
  });

  it('re-import reports added, removed and changed files and updates the images table', async () => {
    await writeFile(path.join(root, 'green', 'new.png'), await encodeRgb(markedRgb(16, 16, [20, 200, 40], 99), 16, 16, 'png'));
    await unlink(path.join(root, 'green', '0.png'));
    // Different pixels and size, so the scan cannot trust the old record.
    await writeFile(path.join(root, 'red', '1.png'), await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer());
    const r = await call('datasets.import', { root });
    expect(r.reimport).toBe(true);
    expect(r.added).toEqual(['green/new.png']);
    expect(r.removed).toEqual(['green/0.png']);
    expect(r.changed).toEqual(['red/1.png']);
    expect(r.unchanged).toBe(26);
    const rows = listImages(db, r.dataset.id);
    expect(rows.map((i) => i.path)).toContain('green/new.png');
    expect(rows.map((i) => i.path)).not.toContain('green/0.png');
    expect(rows.find((i) => i.path === 'red/1.png')!.width).toBe(20);
    expect((await call('datasets.list', {})).map((d) => d.id)).toEqual([r.dataset.id]);
  });

  it('reports per-class split counts, warnings and balanced class weights for given settings', async () => {
    const d = await call('datasets.get', { id: 1, split: { validation: 0.25, test: 0.25, seed: 3 } });
    expect(d.split.settings).toEqual({ validation: 0.25, test: 0.25, seed: 3 });
    expect(d.split.counts.green).toEqual({ train: 6, validation: 3, test: 3, total: 12 });
    expect(d.split.counts.blue.total).toBe(4);
    expect(d.split.warnings.some((w) => w.code === 'FEW_IMAGES' && w.className === 'blue')).toBe(true);
    // Fewer training images, larger weight (sklearn's 'balanced').
    expect(d.split.classWeights.blue).toBeGreaterThan(d.split.classWeights.green);
    await expect(call('datasets.get', { id: 99 })).rejects.toThrow(/No dataset with id 99/);
  });

  it('previews thumbnails and augmented samples as small PNG data URLs', async () => {
    const thumbs = await call('datasets.preview', { id: 1, className: 'green', n: 3, size: 24 });
    expect(thumbs).toHaveLength(3);
    for (const t of thumbs) {
      expect(t.className).toBe('green');
      const png = Buffer.from(t.dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 24, 24]);
    }
    const aug = await call('datasets.augmentPreview', { id: 1, className: 'red', n: 4, seed: 5, size: 32, augment: { flipHorizontal: true, rotation: 30 } });
    expect(aug.samples).toHaveLength(4);
    // Augmented samples differ from one another (random rotations), and a seed repeats them.
    expect(new Set(aug.samples).size).toBeGreaterThan(1);
    const again = await call('datasets.augmentPreview', { id: 1, className: 'red', n: 4, seed: 5, size: 32, augment: { flipHorizontal: true, rotation: 30 } });
    expect(again.samples).toEqual(aug.samples);
    await expect(call('datasets.preview', { id: 1, className: 'purple', n: 1 })).rejects.toThrow(/no class "purple"/);
  });
});
