// SPDX-License-Identifier: MIT
// A small pool of the data module's decode workers fed one file at a time, for inputs that arrive
// as a stream (the batch pipeline wants the whole list up front). The caller bounds how many
// requests are in flight, which bounds memory.
import type { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
import type { DecodeOptions } from '../data/decode';
import { spawnDecodeWorker } from '../data/pipeline';
import type { DecodeRequest, DecodeResponse } from '../data/pipeline-protocol';

export interface DecodePool {
  decode(file: string): Promise<DecodeResponse>;
  close(): Promise<void>;
}

export function createDecodePool(workers: number, decode: Omit<DecodeOptions, 'output'>, workerUrl?: URL): DecodePool {
  const pool: Worker[] = [];
  const load: number[] = [];
  const waiting = new Map<number, { resolve: (r: DecodeResponse) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  let fatal: AppError | undefined;
  const failAll = (err: AppError) => {
    fatal ??= err;
    for (const w of waiting.values()) w.reject(fatal);
    waiting.clear();
  };
  for (let i = 0; i < Math.max(1, workers); i++) {
    const w = spawnDecodeWorker(workerUrl);
    w.on('message', (res: DecodeResponse) => {
      load[i]--;
      const entry = waiting.get(res.id);
      waiting.delete(res.id);
      entry?.resolve(res);
    });
    w.on('error', (e) => failAll(new AppError('INTERNAL', `A decode worker failed: ${e.message}`, {}, { cause: e })));
    w.on('exit', (code) => {
      if (!fatal) failAll(new AppError('INTERNAL', `A decode worker exited unexpectedly (code ${code}).`));
    });
    pool.push(w);
    load.push(0);
  }
  return {
    decode(file) {
      if (fatal) return Promise.reject(fatal);
      let w = 0;
      for (let i = 1; i < pool.length; i++) if (load[i] < load[w]) w = i;
      const id = nextId++;
      const req: DecodeRequest = { id, file, decode, seed: 0 };
      const p = new Promise<DecodeResponse>((resolve, reject) => waiting.set(id, { resolve, reject }));
      // Nobody awaits requests dropped by a cancel; keep Node from reporting them.
      p.catch(() => undefined);
      load[w]++;
      pool[w].postMessage(req);
      return p;
    },
    async close() {
      failAll(new AppError('CANCELLED', 'The decode pool was closed.'));
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}
