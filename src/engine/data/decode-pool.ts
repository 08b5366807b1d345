// SPDX-License-Identifier: MIT
// One persistent pool of decode workers per thread, sized to the cores and started on first use,
// shared by training, feature extraction, evaluation and classification. Callers bound how many
// requests they keep in flight (that bounds memory); the pool bounds how many each worker runs
// at once and queues the rest. Idle workers do not keep the process alive. Workers always load
// built JavaScript: from sources the worker is bundled once with esbuild into a cache folder
// (transpiling inside every worker at start was most of its start-up time).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
import { DEFAULT_IMAGE_CACHE_BYTES, pruneImageCache } from './image-cache';
import type { DecodeRequest, DecodeResponse } from './pipeline-protocol';

export interface DecodePool {
  /** Decodes one image; rejects only when the pool itself fails (a bad file is an ok: false answer). */
  decode(req: Omit<DecodeRequest, 'id'>): Promise<DecodeResponse>;
  /** Worker count. */
  readonly size: number;
  /** Requests the workers run at once (more wait in the pool's queue). */
  readonly capacity: number;
  /** Requests sent to workers and not yet answered, plus those queued. */
  readonly pending: number;
  /** Decoded-image cache hits and misses since the pool started. */
  readonly stats: { hits: number; misses: number; wroteBytes: number };
}

/** The parent's flags (loaders, conditions) minus those Node refuses in a worker with a file entry. */
export function workerExecArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--input-type=')) continue;
    if (a === '--input-type') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

let builtFromSource: URL | undefined;

/**
 * decode-worker.ts bundled to plain JavaScript (once per process, reused across processes while
 * the sources are unchanged), inside node_modules so its packages resolve from there.
 */
function builtWorkerUrl(): URL {
  if (builtFromSource) return builtFromSource;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const req = createRequire(import.meta.url);
  const esbuild = req('esbuild') as typeof import('esbuild');
  const entry = path.join(here, 'decode-worker.ts');
  const bundle = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, logLevel: 'silent' });
  const code = bundle.outputFiles[0].contents;
  const digest = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = path.join(path.dirname(req.resolve('esbuild/package.json')), '..', '.cache', 'transfer-studio');
  const file = path.join(dir, `decode-worker-${digest}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    // Written whole then renamed: parallel test processes may build at once.
    writeFileSync(tmp, code);
    renameSync(tmp, file);
  }
  builtFromSource = pathToFileURL(file);
  return builtFromSource;
}

/** The decode worker's entry: beside the bundle (decode-worker.js), else built from the sources. */
export function decodeWorkerUrl(): URL {
  if (import.meta.url.endsWith('.ts')) return builtWorkerUrl();
  return new URL('./decode-worker.js', import.meta.url);
}

/** Starts one decode worker (the pool's; also for callers that want their own). */
export function spawnDecodeWorker(workerUrl?: URL): Worker {
  return new Worker(workerUrl ?? decodeWorkerUrl(), { execArgv: workerExecArgv(process.execArgv) });
}

interface Waiter {
  req: DecodeRequest;
  resolve: (r: DecodeResponse) => void;
  reject: (e: unknown) => void;
}

/** Requests one worker runs at once: sharp decodes on libuv threads, so two keep a worker busy. */
const PER_WORKER = 2;

function createPool(size: number, workerUrl?: URL): DecodePool {
  const workers: (Worker | null)[] = new Array(size).fill(null);
  const inFlight: Map<number, Waiter>[] = Array.from({ length: size }, () => new Map());
  const queue: Waiter[] = [];
  const stats = { hits: 0, misses: 0, wroteBytes: 0 };
  let nextId = 0;

  const start = (i: number): Worker => {
    const w = spawnDecodeWorker(workerUrl);
    w.on('message', (res: DecodeResponse) => {
      const waiter = inFlight[i].get(res.id);
      inFlight[i].delete(res.id);
      if (res.ok) {
        if (res.hit) stats.hits++;
        else stats.misses++;
        stats.wroteBytes += res.wrote ?? 0;
      }
      if (inFlight[i].size === 0) w.unref();
      waiter?.resolve(res);
      pump();
    });
    const fail = (err: AppError) => {
      // This worker's requests fail; the next request starts a fresh worker in its place.
      workers[i] = null;
      for (const waiter of inFlight[i].values()) waiter.reject(err);
      inFlight[i].clear();
      pump();
    };
    w.on('error', (e) => fail(new AppError('INTERNAL', `A decode worker failed: ${e.message}`, {}, { cause: e })));
    w.on('exit', (code) => {
      if (workers[i] === w) fail(new AppError('INTERNAL', `A decode worker exited unexpectedly (code ${code}).`));
    });
    w.unref();
    workers[i] = w;
    return w;
  };

  const pump = () => {
    while (queue.length) {
      let best = -1;
      for (let i = 0; i < size; i++) if (inFlight[i].size < PER_WORKER && (best < 0 || inFlight[i].size < inFlight[best].size)) best = i;
      if (best < 0) return;
      const waiter = queue.shift()!;
      const w = workers[best] ?? start(best);
      inFlight[best].set(waiter.req.id, waiter);
      w.ref();
      w.postMessage(waiter.req);
    }
  };

  return {
    size,
    capacity: size * PER_WORKER,
    stats,
    get pending() {
      return queue.length + inFlight.reduce((n, m) => n + m.size, 0);
    },
    decode(r) {
      const req: DecodeRequest = { ...r, id: nextId++ };
      return new Promise<DecodeResponse>((resolve, reject) => {
        queue.push({ req, resolve, reject });
        pump();
      });
    },
  };
}

const pools = new Map<string, DecodePool>();

/** This thread's decode pool (one per worker script; `workerUrl` is for bundles that name it otherwise). */
export function getDecodePool(workerUrl?: URL): DecodePool {
  const key = workerUrl?.href ?? '';
  let pool = pools.get(key);
  if (!pool) {
    pool = createPool(Math.max(1, Math.min(os.availableParallelism(), 8)), workerUrl);
    pools.set(key, pool);
  }
  return pool;
}

const pruned = new Map<string, number>();

/**
 * Keeps a decoded-image cache within its bound: prunes when this process has written a tenth of
 * the bound since the last prune (listing a big cache costs, so not after every write).
 */
export function maybePruneImageCache(dir: string, wroteBytes: number, maxBytes = DEFAULT_IMAGE_CACHE_BYTES): void {
  const last = pruned.get(dir) ?? 0;
  if (wroteBytes - last < maxBytes / 10) return;
  pruned.set(dir, wroteBytes);
  pruneImageCache(dir, maxBytes);
}
