// SPDX-License-Identifier: MIT
// Resumable, hash-checked downloads into the Keras cache. The bytes go to `<dest>.part` and only a
// verified file is renamed to `<dest>`, so Keras and this app never see half a file under the
// final name (house style rule 8).
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { AppError, type ErrorCode } from '../../shared/errors';
import { hashFile, type HashAlgorithm } from '../../platform/hash';
import { hashAlgorithmFor, knownWeightUrls } from './cache';
import { tryLock, waitForUnlock } from './lock';
import { httpGet, type ProxyEnv } from './proxy';

export interface DownloadProgress {
  /** Bytes of the file on disk so far (a resumed download starts above 0). */
  bytes: number;
  /** Full size when the server said it, else null. */
  total: number | null;
  /** Bytes per second over this transfer. */
  rate: number;
  etaSeconds: number | null;
}

export interface DownloadOptions {
  url: string;
  dest: string;
  /** md5 (32 hex) or sha256 (64 hex); null when Keras lists none. */
  expectedHash?: string | null;
  hashAlgorithm?: HashAlgorithm | null;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /**
   * Tests only: accept http://127.0.0.1 and http://localhost URLs outside the known list.
   * Production downloads must be https and one of Keras's weight URLs.
   */
  allowLocalHttp?: boolean;
  /** Extra https URLs to accept (the default list is every URL in resources/keras/weights.json). */
  allowedUrls?: Iterable<string>;
  /** Transfer restarts after a dropped connection, each resuming with Range. Default 3. */
  retries?: number;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read from. Default process.env. */
  env?: ProxyEnv;
  timeoutMs?: number;
  /** How often a second caller checks whether the first one finished. */
  lockPollMs?: number;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  hash: string;
  algorithm: HashAlgorithm;
  /** True when the file was already there (verified) and nothing was transferred. */
  cached: boolean;
  /** True when another process or call held the lock and this call used its result. */
  waited: boolean;
  /** True when at least one request continued a `.part` with Range. */
  resumed: boolean;
}

/** The sentence that tells an offline user how to do it by hand. */
export function manualHint(url: string, dest: string): string {
  return `To install it by hand, copy ${path.basename(dest)} from ${url} into ${path.dirname(dest)}`;
}

function fail(code: ErrorCode, what: string, opts: DownloadOptions, cause?: unknown, extra: Record<string, unknown> = {}): AppError {
  const hint = code === 'DOWNLOAD_CANCELLED' ? '' : ` ${manualHint(opts.url, opts.dest)}.`;
  return new AppError(code, `${what}${hint}`, { url: opts.url, file: path.basename(opts.dest), dir: path.dirname(opts.dest), ...extra }, { cause });
}

/** Maps a file-system error on the cache folder to DISK_FULL / READ_ONLY with the folder named. */
function fsFail(err: unknown, opts: DownloadOptions): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const dir = path.dirname(opts.dest);
  if (code === 'ENOSPC' || code === 'EDQUOT') return fail('DISK_FULL', `The disk holding ${dir} is full while writing ${path.basename(opts.dest)}. Free some space or choose another weights folder.`, opts, err);
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return fail('READ_ONLY', `The weights folder ${dir} is not writable (${code}). Choose another weights folder or fix its permissions.`, opts, err);
  return fail('DOWNLOAD_FAILED', `Writing ${opts.dest} failed: ${(err as Error).message}.`, opts, err);
}

function checkUrl(opts: DownloadOptions): URL {
  let u: URL;
  try {
    u = new URL(opts.url);
  } catch (err) {
    throw new AppError('INVALID_ARGUMENT', `Not a URL: ${JSON.stringify(opts.url)}.`, { received: opts.url }, { cause: err });
  }
  const local = u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost');
  if (local && opts.allowLocalHttp) return u;
  const allowed = new Set([...knownWeightUrls(), ...(opts.allowedUrls ?? [])]);
  if (u.protocol !== 'https:' || !allowed.has(u.href)) {
    throw new AppError('INVALID_ARGUMENT', `Refusing to download ${opts.url}: only the https weight URLs Keras lists (resources/keras/weights.json) are allowed.`, { received: opts.url });
  }
  return u;
}

function isAbort(err: unknown, signal?: AbortSignal): boolean {
  return signal?.aborted === true || (err as Error)?.name === 'AbortError';
}

async function sizeOrZero(p: string): Promise<number> {
  try {
    return (await stat(p)).size;
  } catch {
    return 0;
  }
}

/** Downloads `opts.url` to `opts.dest`, resuming, verifying and renaming atomically. See DownloadOptions. */
export async function downloadFile(opts: DownloadOptions): Promise<DownloadResult> {
  const url = checkUrl(opts);
  const algorithm = hashAlgorithmFor(opts.expectedHash, opts.hashAlgorithm);
  try {
    await mkdir(path.dirname(opts.dest), { recursive: true });
  } catch (err) {
    throw fsFail(err, opts);
  }
  const lockPath = `${opts.dest}.lock`;
  let waited = false;
  for (;;) {
    let lock;
    try {
      lock = await tryLock(lockPath);
    } catch (err) {
      throw fsFail(err, opts);
    }
    if (lock) {
      try {
        const done = await verifiedExisting(opts, algorithm);
        if (done) return { ...done, waited };
        return { ...(await transfer(url, opts, algorithm)), waited };
      } finally {
        await lock.release();
      }
    }
    waited = true;
    try {
      await waitForUnlock(lockPath, opts.signal, opts.lockPollMs);
    } catch (err) {
      throw fail('DOWNLOAD_CANCELLED', `Cancelled while waiting for another download of ${path.basename(opts.dest)}.`, opts, err);
    }
  }
}

/** The file is already in place (a previous run, Keras itself, or the call we waited for). */
async function verifiedExisting(opts: DownloadOptions, algorithm: HashAlgorithm): Promise<DownloadResult | null> {
  const bytes = await sizeOrZero(opts.dest);
  if (bytes === 0) return null;
  const hash = await hashFile(opts.dest, algorithm);
  if (opts.expectedHash && hash !== opts.expectedHash.toLowerCase()) return null;
  return { path: opts.dest, bytes, hash, algorithm, cached: true, waited: false, resumed: false };
}

async function transfer(url: URL, opts: DownloadOptions, algorithm: HashAlgorithm): Promise<Omit<DownloadResult, 'waited'>> {
  const part = `${opts.dest}.part`;
  const retries = opts.retries ?? 3;
  let resumed = false;
  for (let attempt = 0; ; attempt++) {
    const before = await sizeOrZero(part);
    try {
      const r = await fetchInto(url, part, before, opts);
      resumed ||= r.resumed;
      break;
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (isAbort(err, opts.signal)) {
        throw fail('DOWNLOAD_CANCELLED', `The download of ${path.basename(opts.dest)} was cancelled; ${await sizeOrZero(part)} bytes are kept in ${part} for the next try.`, opts, err);
      }
      const fsCode = (err as NodeJS.ErrnoException).code;
      if (fsCode === 'ENOSPC' || fsCode === 'EROFS' || fsCode === 'EACCES' || fsCode === 'EPERM' || fsCode === 'EDQUOT') throw fsFail(err, opts);
      // Retry only when the last attempt made progress, so a dead server fails fast.
      const progressed = (await sizeOrZero(part)) > before;
      if (attempt >= retries || (!progressed && attempt > 0)) {
        throw fail('DOWNLOAD_FAILED', `Downloading ${url.href} failed: ${(err as Error).message}.`, opts, err, { partBytes: await sizeOrZero(part) });
      }
    }
  }
  const hash = await hashFile(part, algorithm);
  const bytes = await sizeOrZero(part);
  if (opts.expectedHash && hash !== opts.expectedHash.toLowerCase()) {
    await rm(part, { force: true });
    throw fail('WEIGHTS_CORRUPT', `The downloaded ${path.basename(opts.dest)} has ${algorithm} ${hash}, but Keras lists ${opts.expectedHash}. The partial file was deleted; try again.`, opts, undefined, { expected: opts.expectedHash, actual: hash });
  }
  try {
    await rename(part, opts.dest);
  } catch (err) {
    throw fsFail(err, opts);
  }
  return { path: opts.dest, bytes, hash, algorithm, cached: false, resumed };
}

/**
 * GET that follows up to 5 redirects (the legacy GitHub release URLs redirect to a CDN). A redirect
 * may not leave https; the hash check, not the host, vouches for the bytes.
 */
async function getFollowingRedirects(url: URL, headers: Record<string, string>, opts: DownloadOptions): Promise<IncomingMessage> {
  let at = url;
  for (let hop = 0; hop <= 5; hop++) {
    const res = await httpGet(at, { headers, signal: opts.signal, env: opts.env, timeoutMs: opts.timeoutMs });
    const status = res.statusCode ?? 0;
    if (![301, 302, 303, 307, 308].includes(status) || !res.headers.location) return res;
    res.resume();
    const next = new URL(res.headers.location, at);
    if (next.protocol !== 'https:' && !(opts.allowLocalHttp && next.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(next.hostname))) {
      throw fail('DOWNLOAD_FAILED', `${at.href} redirected to ${next.href}, which is not https.`, opts);
    }
    at = next;
  }
  throw fail('DOWNLOAD_FAILED', `${url.href} redirected more than 5 times.`, opts);
}

/** One request: continue `part` from `offset` (Range) or restart it when the server sends 200. */
async function fetchInto(url: URL, part: string, offset: number, opts: DownloadOptions): Promise<{ resumed: boolean }> {
  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  const res = await getFollowingRedirects(url, headers, opts);
  let start = 0;
  if (res.statusCode === 206) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== offset) {
      res.resume();
      // A Content-Range we did not ask for: throw the .part away and start again next attempt.
      await rm(part, { force: true });
      throw new Error(`the server answered Range bytes=${offset}- with Content-Range ${res.headers['content-range'] ?? '(none)'}`);
    }
    start = offset;
  } else if (res.statusCode === 416) {
    res.resume();
    await rm(part, { force: true });
    throw new Error('the server refused to resume (HTTP 416); restarting from the beginning');
  } else if (res.statusCode !== 200) {
    res.resume();
    throw fail('DOWNLOAD_FAILED', `The server answered HTTP ${res.statusCode} for ${url.href}.`, opts, undefined, { status: res.statusCode });
  }
  const length = Number(res.headers['content-length']);
  const total = Number.isFinite(length) && res.headers['content-length'] !== undefined ? start + length : null;
  await streamTo(res, part, start, total, opts);
  return { resumed: start > 0 };
}

async function streamTo(res: IncomingMessage, part: string, start: number, total: number | null, opts: DownloadOptions): Promise<void> {
  const out = createWriteStream(part, { flags: start > 0 ? 'a' : 'w' });
  const t0 = Date.now();
  let bytes = start;
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!opts.onProgress || (!force && now - lastReport < 100)) return;
    lastReport = now;
    const secs = Math.max((now - t0) / 1000, 1e-3);
    const rate = (bytes - start) / secs;
    const etaSeconds = total !== null && rate > 0 ? Math.max(0, (total - bytes) / rate) : null;
    opts.onProgress({ bytes, total, rate, etaSeconds });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const onError = (err: Error) => {
        if (failed) return;
        failed = true;
        res.destroy();
        out.destroy();
        reject(err);
      };
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (!out.write(chunk)) {
          res.pause();
          out.once('drain', () => res.resume());
        }
        report(false);
      });
      res.once('aborted', () => onError(new Error('the connection was closed before the end of the file')));
      res.once('error', onError);
      out.once('error', onError);
      res.once('end', () => {
        if (failed) return;
        if (!res.complete) return onError(new Error('the connection was closed before the end of the file'));
        out.end(() => resolve());
      });
      res.once('close', () => {
        if (!res.complete) onError(new Error('the connection was closed before the end of the file'));
      });
    });
  } finally {
    if (!out.closed) await new Promise<void>((r) => (out.closed ? r() : out.once('close', () => r())));
  }
  report(true);
  if (total !== null && bytes !== total) throw new Error(`received ${bytes} of ${total} bytes`);
}
