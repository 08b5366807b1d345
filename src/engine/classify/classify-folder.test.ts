// SPDX-License-Identifier: MIT
// classifyFolder on real files with a really trained model: results equal the model's own TF.js
// predictions, bad files are reported with reasons, resumes and reruns do no work twice.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFashionMnistFolder } from '../../../test/fixtures/fashion-mnist';
import { writeBadFiles } from '../../../test/fixtures/images';
import { trainTinyClassifier, type TinyClassifier } from '../../../test/fixtures/tiny-classifier';
import { decodeImage } from '../data/decode';
import { preprocessPixels } from '../zoo/preprocess';
import { classifyFolder } from './classify-folder';
import { parseCsvLine, writeResults } from './export';
import { resolveModelDir } from './resolve-model';
import type { ClassifiedFile, ResultSink } from './types';

/** Where classification words a reason differently from the dataset scanner (which reads headers only). */
const REASONS: Record<string, RegExp> = { LINK_OUTSIDE: /outside the chosen folder/, TOO_LARGE: /more pixels than the limit/ };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'classify-folder-test-'));
const photos = path.join(tmp, 'photos');
const onnxCacheDir = path.join(tmp, 'onnx-cache');
let tiny: TinyClassifier;
let files: string[];

/** A sink in memory, optionally seeded with an earlier job's results for reuse. */
function memorySink(earlier: readonly ClassifiedFile[] = [], already: readonly ClassifiedFile[] = []) {
  const rows = new Map(already.map((r) => [r.relPath, r]));
  const writes: number[] = [];
  const sink: ResultSink = {
    has: (rel) => rows.has(rel),
    reuse: (_rel, sha) => earlier.find((r) => r.sha256 === sha && !r.problem),
    write: (rs) => {
      writes.push(rs.length);
      for (const r of rs) {
        expect(rows.has(r.relPath)).toBe(false);
        rows.set(r.relPath, r);
      }
    },
  };
  return { sink, rows, writes };
}

/** The model's own answer for one file: same decode, same preprocessing, TF.js predict. */
async function reference(rel: string): Promise<Float32Array> {
  const img = await decodeImage(path.join(photos, rel), { width: 28, height: 28, interpolation: 'bilinear' });
  const x = preprocessPixels(img.data, 'unit');
  return tf.tidy(() => (tiny.model.predict(tf.tensor4d(x, [1, 28, 28, 3])) as tf.Tensor).dataSync() as Float32Array);
}

beforeAll(async () => {
  tiny = await trainTinyClassifier(path.join(tmp, 'model'));
  const written = await writeFashionMnistFolder(photos, { splits: ['test'], perClass: 6 });
  files = written.files.map((f) => f.path);
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('classifyFolder', () => {
  it('labels every image as the model does (ONNX Runtime within 1e-4 of TF.js), and the CSV says the same', async () => {
    const model = await resolveModelDir(tiny.dir);
    const { sink, rows } = memorySink();
    const summary = await classifyFolder(model, sink, { root: photos, recursive: true, topK: 3, threshold: 0.6, batchSize: 8, onnxCacheDir });
    expect(summary.engine).toBe('onnxruntime');
    expect(summary.classified).toBe(files.length);
    expect(summary.problems).toBe(0);
    expect([...rows.keys()].sort()).toEqual([...files].sort());
    let correct = 0;
    for (const rel of files) {
      const probs = await reference(rel);
      const r = rows.get(rel)!;
      const best = probs.indexOf(Math.max(...probs));
      expect(r.label).toBe(tiny.labels[best]);
      expect(Math.abs((r.confidence ?? 0) - probs[best])).toBeLessThan(1e-4);
      expect(r.topk.length).toBe(3);
      expect(r.topk[1].p).toBeLessThanOrEqual(r.topk[0].p);
      expect(r.unsure).toBe(probs[best] < 0.6);
      if (rel.split('/')[1] === r.label) correct++;
    }
    // A model that learned something: far above the 10% of chance on held-out test images.
    expect(correct / files.length).toBeGreaterThan(0.4);

    const csv = path.join(tmp, 'out.csv');
    await writeResults(csv, [...rows.values()].map((r) => ({ ...r, correctedLabel: null })), { topK: 3 });
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0].startsWith('path,label,confidence,top1_label,top1_p')).toBe(true);
    expect(lines.length).toBe(files.length + 1);
    for (const line of lines.slice(1)) {
      const [p, label, conf] = parseCsvLine(line);
      const probs = await reference(p);
      const best = probs.indexOf(Math.max(...probs));
      expect(label).toBe(tiny.labels[best]);
      expect(Math.abs(Number(conf) - probs[best])).toBeLessThan(1e-4);
    }
    // The converted model was cached next to the model files and is used the second time.
    expect(readFileSync(path.join(tiny.dir, 'meta.json'), 'utf8')).toContain('unit');
  }, 60_000);

  it('TF.js gives the same answers when asked for, and a resume classifies only what is missing', async () => {
    const model = await resolveModelDir(tiny.dir);
    const first = memorySink();
    await classifyFolder(model, first.sink, { root: photos, recursive: true, onnxCacheDir, engine: 'tfjs' });
    const all = [...first.rows.values()];
    const half = all.slice(0, 25);
    const resumed = memorySink([], half);
    const s = await classifyFolder(model, resumed.sink, { root: photos, recursive: true, onnxCacheDir });
    expect(s.resumed).toBe(25);
    expect(s.classified).toBe(files.length - 25);
    expect(resumed.rows.size).toBe(files.length);
    for (const r of resumed.rows.values()) {
      const t = first.rows.get(r.relPath)!;
      expect(r.label).toBe(t.label);
      expect(Math.abs((r.confidence ?? 0) - (t.confidence ?? 0))).toBeLessThan(1e-4);
    }
    // A rerun on the same folder reuses results for unchanged bytes and classifies only a new file.
    await mkdir(path.join(photos, 'new'), { recursive: true });
    await writeFile(path.join(photos, 'new', 'copy.png'), readFileSync(path.join(photos, files[0])));
    const rerun = memorySink(all);
    const s2 = await classifyFolder(model, rerun.sink, { root: photos, recursive: true, onnxCacheDir });
    expect(s2.reused).toBe(files.length + 1);
    expect(s2.classified).toBe(0);
    rmSync(path.join(photos, 'new'), { recursive: true });
  }, 60_000);

  it('reports unreadable, corrupt and non-image files with their reasons and classifies the rest', async () => {
    const root = path.join(tmp, 'mixed');
    const bad = await writeBadFiles(root, 'bad');
    const model = await resolveModelDir(tiny.dir);
    const { sink, rows } = memorySink();
    const s = await classifyFolder(model, sink, { root, recursive: true, onnxCacheDir });
    const problems = new Map([...rows.values()].filter((r) => r.problem).map((r) => [r.relPath, r.problem!]));
    const expected = bad.filter((b) => !['OUTSIDE_CLASS', 'NOT_A_FILE'].includes(b.code));
    for (const b of expected) {
      expect(problems.get(b.path)?.code, b.path).toBe(b.code);
      expect(problems.get(b.path)?.reason, b.path).toMatch(REASONS[b.code] ?? b.reason);
    }
    // The good stray image at the top level is classified like any other.
    expect(rows.get('stray.png')?.label).toBeTruthy();
    expect(s.problems).toBe(problems.size);
    expect(s.classified).toBe(rows.size - problems.size);
  }, 60_000);
});
