// SPDX-License-Identifier: MIT
// Folder classification (issue 8): JPEG files on disk -> CSV through the engine's classifyFolder,
// images/s and peak memory at 1,000 and 10,000 files (memory must stay flat), next to the raw
// ONNX Runtime time for the same images.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeManyJpegs } from '../lib/images';
import { GiB, MiB, trackPeak } from '../lib/peak-memory';
import { loadAverage } from '../lib/stats';
import { atLeast, atMost } from '../lib/targets';
import { emptyOutput, type BenchCase } from '../lib/types';

const CLASSIFY_DIR = fileURLToPath(new URL('../../src/engine/classify/', import.meta.url));

/** What this case expects classifyFolder to accept; extra fields are ignored by the engine. */
type ClassifyFolder = (opts: Record<string, unknown>) => Promise<unknown>;

async function loadClassifyFolder(): Promise<ClassifyFolder | null> {
  if (!existsSync(CLASSIFY_DIR)) return null;
  const entry = ['index.ts', 'classify-folder.ts', 'classify.ts'].map((f) => join(CLASSIFY_DIR, f)).find((f) => existsSync(f));
  if (!entry) return null;
  const mod = (await import(entry)) as { classifyFolder?: ClassifyFolder };
  return typeof mod.classifyFolder === 'function' ? mod.classifyFolder : null;
}

export const classifyCase: BenchCase = {
  id: 'classify',
  title: 'Folder classification',
  async run(ctx) {
    const out = emptyOutput();
    const classifyFolder = await loadClassifyFolder();
    if (!classifyFolder) {
      out.status = 'unavailable';
      out.notes.push(`not available yet: no classifyFolder in src/engine/classify/ (${existsSync(CLASSIFY_DIR) ? readdirSync(CLASSIFY_DIR).join(', ') || 'empty' : 'folder missing'}).`);
      out.targets.push({ target: '≥ 80 img/s, peak < 1 GiB (MobileNetV2 224, JPEG → CSV)', measured: null, met: null, verdict: 'not measured: classifyFolder not available yet' });
      return out;
    }
    const sizes = ctx.quick ? [200] : [1000, 10000];
    for (const n of sizes) {
      const dir = join(ctx.tmpDir, `photos-${n}`);
      ctx.log(`writing ${n} JPEGs`);
      await writeManyJpegs(dir, join(ctx.tmpDir, `seed-${n}`), n);
      const csv = join(ctx.tmpDir, `results-${n}.csv`);
      const load0 = loadAverage();
      const peak = trackPeak();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await classifyFolder({ model: 'mobilenetv2', dir, folder: dir, out: csv, imageSize: 224, topK: 1 });
      const seconds = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      const peakBytes = peak.stop();
      const lines = existsSync(csv) ? readFileSync(csv, 'utf8').trim().split('\n').length - 1 : Number.NaN;
      out.rows.push({
        name: `${n} JPEG files → CSV (MobileNetV2 224)`,
        value: n / seconds,
        unit: 'img/s',
        cpu: `${((c.user + c.system) / 1000 / n).toFixed(1)} ms CPU/img`,
        peakRssMiB: peakBytes / MiB,
        load: (load0 + loadAverage()) / 2,
        reps: 1,
        note: `${lines} CSV rows`,
      });
      out.targets.push(atLeast(`${n} files ≥ 80 img/s`, n / seconds, 80, 'img/s'));
      out.targets.push(atMost(`${n} files peak memory < 1 GiB`, peakBytes / GiB, 1, 'GiB'));
    }
    return out;
  },
};
