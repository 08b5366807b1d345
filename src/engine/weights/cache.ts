// SPDX-License-Identifier: MIT
// The weights cache is Keras's own (keras/src/utils/file_utils.py `get_file`): the same folder
// ($KERAS_HOME/models, else ~/.keras/models) and the same file names, so a file downloaded by
// Keras is used here and a file we download is used by Keras.
import { rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hashFile, type HashAlgorithm } from '../../platform/hash';
import { AppError } from '../../shared/errors';
import { allKerasFacts, kerasFacts, type KerasWeightFile } from '../zoo/keras-facts';

export type WeightsVariant = 'top' | 'notop';

export const WEIGHTS_VARIANTS: readonly WeightsVariant[] = ['top', 'notop'];

export interface CacheOptions {
  /** The app's "weights folder" setting; overrides KERAS_HOME and ~/.keras. */
  cacheDir?: string;
  /** Environment to read KERAS_HOME from (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

export interface CachedFileStatus {
  variant: WeightsVariant;
  fileName: string;
  path: string;
  present: boolean;
  /** Size on disk, 0 when absent. */
  bytes: number;
  url: string;
  /** The hash Keras passes to get_file, or null (MobileNet/MobileNetV2 have none). */
  expectedHash: string | null;
  hashAlgorithm: HashAlgorithm | null;
  /** True while an unfinished download (`.part`) lies beside the file. */
  partial: boolean;
}

export interface CacheStatus {
  kerasName: string;
  dir: string;
  variants: Record<WeightsVariant, CachedFileStatus>;
}

export interface VerifyResult {
  path: string;
  ok: boolean;
  /** 'unverifiable' when Keras lists no hash for the file (then ok means "present"). */
  status: 'ok' | 'mismatch' | 'missing' | 'unverifiable';
  algorithm: HashAlgorithm;
  expected: string | null;
  actual: string | null;
}

/**
 * The folder Keras's get_file(cache_subdir='models') uses: `<override>` when the app setting is
 * set, else `$KERAS_HOME/models`, else `~/.keras/models`.
 */
export function kerasCacheDir(opts: CacheOptions = {}): string {
  if (opts.cacheDir) return path.resolve(expandHome(opts.cacheDir));
  const env = opts.env ?? process.env;
  const base = env.KERAS_HOME ? expandHome(env.KERAS_HOME) : path.join(os.homedir(), '.keras');
  return path.resolve(base, 'models');
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** Keras get_file hash_algorithm='auto': a 64-hex hash is sha256, anything else md5. */
export function hashAlgorithmFor(hash: string | null | undefined, declared?: HashAlgorithm | null): HashAlgorithm {
  if (declared) return declared;
  return hash && /^[0-9a-f]{64}$/i.test(hash) ? 'sha256' : 'md5';
}

/** Keras's weight file for a model and variant (names, URL and hash from resources/keras/weights.json). */
export function kerasWeightFile(kerasName: string, variant: WeightsVariant): KerasWeightFile {
  let facts;
  try {
    facts = kerasFacts(kerasName);
  } catch (err) {
    throw new AppError('MODEL_UNKNOWN', `No Keras weight files are known for ${JSON.stringify(kerasName)}. Use a Keras Applications name such as "ResNet50".`, { received: kerasName }, { cause: err });
  }
  return variant === 'top' ? facts.weights.include_top : facts.weights.notop;
}

/** Every https URL Keras downloads weights from; production downloads are restricted to these. */
export function knownWeightUrls(): ReadonlySet<string> {
  if (!knownUrls) {
    knownUrls = new Set<string>();
    for (const name of Object.keys(allKerasFacts())) {
      for (const v of WEIGHTS_VARIANTS) knownUrls.add(kerasWeightFile(name, v).url);
    }
  }
  return knownUrls;
}
let knownUrls: Set<string> | undefined;

async function sizeOf(p: string): Promise<number | null> {
  try {
    const s = await stat(p);
    return s.isFile() ? s.size : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** What the cache holds for one Keras model: per variant, the file Keras would use and whether it is there. */
export async function cacheStatus(kerasName: string, opts: CacheOptions = {}): Promise<CacheStatus> {
  const dir = kerasCacheDir(opts);
  const entries = await Promise.all(
    WEIGHTS_VARIANTS.map(async (variant): Promise<CachedFileStatus> => {
      const f = kerasWeightFile(kerasName, variant);
      const p = path.join(dir, f.file_name);
      const [size, partSize] = await Promise.all([sizeOf(p), sizeOf(`${p}.part`)]);
      return {
        variant,
        fileName: f.file_name,
        path: p,
        present: size !== null,
        bytes: size ?? 0,
        url: f.url,
        expectedHash: f.file_hash,
        hashAlgorithm: f.file_hash ? hashAlgorithmFor(f.file_hash, f.hash_algorithm) : null,
        partial: partSize !== null,
      };
    }),
  );
  return { kerasName, dir, variants: { top: entries[0], notop: entries[1] } };
}


/**
 * Checks a cached weight file against the hash Keras lists for it.
 * @throws AppError FILE_UNREADABLE when the file exists but cannot be read.
 */
export async function verifyCached(kerasName: string, variant: WeightsVariant, opts: CacheOptions = {}): Promise<VerifyResult> {
  const f = kerasWeightFile(kerasName, variant);
  const p = path.join(kerasCacheDir(opts), f.file_name);
  return verifyFile(p, f.file_hash, hashAlgorithmFor(f.file_hash, f.hash_algorithm));
}

/** Verifies any file against an expected hash ('auto' algorithm when none is given). */
export async function verifyFile(p: string, expected: string | null, algorithm?: HashAlgorithm): Promise<VerifyResult> {
  const algo = hashAlgorithmFor(expected, algorithm);
  if ((await sizeOf(p)) === null) return { path: p, ok: false, status: 'missing', algorithm: algo, expected, actual: null };
  let actual: string;
  try {
    actual = await hashFile(p, algo);
  } catch (err) {
    throw new AppError('FILE_UNREADABLE', `Cannot read ${p} to check its ${algo}: ${(err as Error).message}. Check the file's permissions.`, { path: p }, { cause: err });
  }
  if (!expected) return { path: p, ok: true, status: 'unverifiable', algorithm: algo, expected, actual };
  const ok = actual.toLowerCase() === expected.toLowerCase();
  return { path: p, ok, status: ok ? 'ok' : 'mismatch', algorithm: algo, expected, actual };
}

/**
 * Deletes a cached weight file (and any `.part` left by an interrupted download).
 * @returns true when something was removed.
 * @throws AppError READ_ONLY when the cache folder cannot be written.
 */
export async function removeCached(kerasName: string, variant: WeightsVariant, opts: CacheOptions = {}): Promise<boolean> {
  const f = kerasWeightFile(kerasName, variant);
  const p = path.join(kerasCacheDir(opts), f.file_name);
  let removed = false;
  for (const target of [p, `${p}.part`]) {
    if ((await sizeOf(target)) === null) continue;
    try {
      await rm(target, { force: true });
      removed = true;
    } catch (err) {
      throw new AppError('READ_ONLY', `Cannot delete ${target}: ${(err as Error).message}. Check that the weights folder is writable.`, { path: target }, { cause: err });
    }
  }
  return removed;
}
