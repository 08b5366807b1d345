// SPDX-License-Identifier: MIT
// The stored classify row is read one way everywhere: the UI's results, the CSV and the JSON export.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRow, writeResults } from './export';
import { classifyRowView, type StoredClassifyRow } from '../../shared/dto/classify-result';

const row = (correctedLabel: string | null): StoredClassifyRow => ({
  relPath: 'a/cat.jpg',
  sha256: 'ab',
  label: 'dog',
  confidence: 0.41,
  topk: [{ label: 'dog', p: 0.41 }],
  unsure: true,
  problem: null,
  correctedLabel,
});

describe('classifyRowView', () => {
  it('lets a correction win and clears unsure, in the view, the CSV and the JSON export alike', async () => {
    expect(classifyRowView(row(null))).toMatchObject({ label: 'dog', modelLabel: 'dog', unsure: true, corrected: false });
    expect(classifyRowView(row('cat'))).toMatchObject({ label: 'cat', modelLabel: 'dog', unsure: false, corrected: true });
    expect(csvRow(row('cat'), 1)).toEqual(['a/cat.jpg', 'cat', '0.41', 'dog', '0.41', '0', '', 'dog']);
    expect(csvRow(row(null), 1)[5]).toBe('1');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ts-view-')), 'r.json');
    await writeResults(file, [row('cat'), row(null)], { topK: 1 });
    const json = JSON.parse(readFileSync(file, 'utf8')) as { results?: unknown[] } | unknown[];
    const items = (Array.isArray(json) ? json : (json.results ?? [])) as { unsure: boolean; label: string }[];
    expect(items.map((r) => [r.label, r.unsure])).toEqual([['cat', false], ['dog', true]]);
  });
});
