// SPDX-License-Identifier: MIT
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBatchPipeline, type Batch, type PipelineItem } from './pipeline';
import { decodeImage } from './decode';
import { augment } from './augment';
import { deriveSeed } from './rng';
import { writeTinyDataset } from '../../../test/fixtures/images';

let root: string;
let items: PipelineItem[];
const decode = { width: 4, height: 4, interpolation: 'bilinear' as const };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pipeline-test-'));
  const paths = await writeTinyDataset(root, { counts: { red: 5, green: 5, blue: 4 }, size: 8, format: 'png' });
  // Went bad after the scan: must be skipped, not fatal.
  await writeFile(join(root, 'green', '2.png'), Buffer.from('no longer an image'));
  const cls = ['blue', 'green', 'red'];
  items = paths.map((p) => ({ path: p, label: cls.indexOf(p.split('/')[0]) }));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function collect(p: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of p) out.push(b);
  return out;
}

describe('createBatchPipeline', () => {
  it('yields NHWC batches in item order with the same pixels as decodeImage, skipping a bad file', async () => {
    const skips: string[] = [];
    const p = createBatchPipeline({ items, root, batchSize: 4, decode, onSkip: (s) => skips.push(s.path) });
    const batches = await collect(p);
    expect(batches.map((b) => b.shape[0])).toEqual([4, 4, 4, 1]);
    expect(skips).toEqual(['green/2.png']);
    expect(p.skipped[0]).toMatchObject({ code: 'NOT_IMAGE', reason: '2.png: This is not an image: it contains text.' });
    const good = items.filter((i) => i.path !== 'green/2.png');
    expect(batches.flatMap((b) => b.paths)).toEqual(good.map((i) => i.path));
    expect(batches.flatMap((b) => Array.from(b.y))).toEqual(good.map((i) => i.label));
    expect(batches[0].shape).toEqual([4, 4, 4, 3]);
    expect(batches[3].x.length).toBe(4 * 4 * 3);
    for (const [bi, b] of batches.entries()) {
      for (const [k, path] of b.paths.entries()) {
        const ref = await decodeImage(join(root, path), decode);
        expect(Array.from(b.x.subarray(k * 48, (k + 1) * 48)), `batch ${bi} ${path}`).toEqual(Array.from(ref.data));
      }
    }
  });

  it('shuffles deterministically per seed and epoch, and augments in the workers with per-image seeds', async () => {
    const aug = { flipHorizontal: true, rotation: 20, brightness: 0.1 };
    const run = async (epoch: number) =>
      collect(createBatchPipeline({ items, root, batchSize: 5, decode, shuffle: true, seed: 3, epoch, augment: aug }));
    const a = await run(0);
    const b = await run(0);
    const c = await run(1);
    const order = (bs: Batch[]) => bs.flatMap((x) => x.paths);
    expect(order(b)).toEqual(order(a));
    expect(order(c)).not.toEqual(order(a));
    expect(Array.from(b[0].x)).toEqual(Array.from(a[0].x));
    const first = a[0].paths[0];
    const idx = items.findIndex((i) => i.path === first);
    const ref = augment(await decodeImage(join(root, first), decode), aug, deriveSeed(3, 'aug', 0, idx));
    expect(Array.from(a[0].x.subarray(0, 48))).toEqual(Array.from(ref.data));
  });

  it('keeps at most (prefetch + 1) × batchSize images ahead of a slow consumer', async () => {
    const many = Array.from({ length: 120 }, (_, i) => items[i % 3]);
    const p = createBatchPipeline({ items: many, root, batchSize: 4, decode, prefetchBatches: 1 });
    let n = 0;
    for await (const b of p) {
      n += b.paths.length;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(n).toBe(120);
    expect(p.maxAhead).toBeLessThanOrEqual(8);
    expect(p.maxAhead).toBeGreaterThanOrEqual(4);
  });

  it('cancels: cancel() and an aborted signal end the iteration with CANCELLED; break stops quietly', async () => {
    const p = createBatchPipeline({ items, root, batchSize: 2, decode });
    const err = await (async () => {
      for await (const _ of p) p.cancel();
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CANCELLED' });

    const ac = new AbortController();
    const q = createBatchPipeline({ items, root, batchSize: 2, decode, signal: ac.signal });
    const err2 = await (async () => {
      for await (const _ of q) ac.abort();
    })().catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: 'CANCELLED' });

    let seen = 0;
    for await (const _ of createBatchPipeline({ items, root, batchSize: 2, decode })) {
      if (++seen === 2) break;
    }
    expect(seen).toBe(2);
  });

  it('rejects a bad batch size or label with the value received', () => {
    expect(() => createBatchPipeline({ items, root, batchSize: 0, decode })).toThrow(/batchSize .*Received: 0/);
    expect(() => createBatchPipeline({ items: [{ path: 'x.png', label: -1 }], batchSize: 1, decode })).toThrow(
      /Received: -1/,
    );
  });
});

describe('bundled pipeline', () => {
  it('runs from an esbuild bundle that emits decode-worker.js beside it', async () => {
    const { build } = await import('esbuild');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { fileURLToPath } = await import('node:url');
    const repo = fileURLToPath(new URL('../../..', import.meta.url));
    // Inside the repo so the bundle finds sharp in node_modules.
    const out = join(repo, 'node_modules', '.cache', `data-bundle-${process.pid}`);
    try {
      await build({
        entryPoints: {
          pipeline: join(repo, 'src/engine/data/pipeline.ts'),
          'decode-worker': join(repo, 'src/engine/data/decode-worker.ts'),
        },
        outdir: out,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        external: ['sharp'],
        logLevel: 'silent',
      });
      await writeFile(join(out, 'package.json'), '{"type":"module"}');
      const script =
        `const { createBatchPipeline } = await import(${JSON.stringify(join(out, 'pipeline.js'))});\n` +
        `const p = createBatchPipeline({ items: ${JSON.stringify(items)}, root: ${JSON.stringify(root)}, batchSize: 4, decode: { width: 4, height: 4 } });\n` +
        `let n = 0; for await (const b of p) n += b.paths.length;\n` +
        `console.log(JSON.stringify({ n, skipped: p.skipped.length }));\n`;
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
      expect(JSON.parse(stdout)).toEqual({ n: items.length - 1, skipped: 1 });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
