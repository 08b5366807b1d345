// SPDX-License-Identifier: MIT
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectImage } from './inspect';
import { encodeRgb, markedRgb } from '../../../test/fixtures/images';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inspect-test-'));
  const rgb = markedRgb(20, 10, [10, 120, 240], 3);
  await writeFile(join(dir, 'ok.png'), await encodeRgb(rgb, 20, 10, 'png'));
  await writeFile(join(dir, 'ok.bmp'), await encodeRgb(rgb, 20, 10, 'bmp'));
  // Noise makes the scan data dwarf the header, so cutting at 70% keeps the header whole.
  const noise = new Uint8Array(96 * 96 * 3).map((_, i) => (i * 2654435761) >>> 24);
  const jpg = await encodeRgb(noise, 96, 96, 'jpeg');
  await writeFile(join(dir, 'cut.jpg'), jpg.subarray(0, Math.floor(jpg.length * 0.7)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('inspectImage', () => {
  // wholeFileBytes 0 forces the streaming path that very large files take.
  it.each([undefined, 0])('gives the same answers read whole or streamed (wholeFileBytes=%s)', async (whole) => {
    const opts = { maxPixels: 1e8, wholeFileBytes: whole };
    for (const name of ['ok.png', 'ok.bmp']) {
      const r = await inspectImage(join(dir, name), opts);
      const sha = createHash('sha256').update(await readFile(join(dir, name))).digest('hex');
      expect(r).toMatchObject({ ok: true, width: 20, height: 10, sha256: sha });
    }
    expect(await inspectImage(join(dir, 'cut.jpg'), opts)).toMatchObject({ ok: false, code: 'CORRUPT' });
    // Header-only checking trusts the truncated JPEG's header.
    expect(await inspectImage(join(dir, 'cut.jpg'), { ...opts, verify: 'header' })).toMatchObject({ ok: true });
  });
});
