// SPDX-License-Identifier: MIT
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createWorker } from './worker';

describe('createWorker', () => {
  it('runs a TypeScript worker module', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-worker-'));
    const file = path.join(dir, 'square.ts');
    writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(file, "import { parentPort } from 'node:worker_threads';\nconst n: number = 7;\nparentPort!.postMessage(n * n);\n");
    const worker = createWorker(pathToFileURL(file));
    const answer = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(answer).toBe(49);
  });
});
