// SPDX-License-Identifier: MIT
// What the app, the CLI and browser mode call for pretrained weights. Everything else in this
// folder is an implementation detail.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { ImportReport } from './apply';
import { kerasCacheDir, kerasWeightFile, removeCached, verifyCached, type CacheOptions, type WeightsVariant } from './cache';
import { downloadFile, type DownloadProgress, type DownloadResult } from './download';
import { importH5Weights } from './h5-import';
import { importKerasArchive } from './keras-archive';
import { importTfjsWeights } from './tfjs-import';

export type { ImportReport, SkippedWeight } from './apply';
export type { CacheOptions, CacheStatus, CachedFileStatus, VerifyResult, WeightsVariant } from './cache';
export type { DownloadProgress, DownloadResult } from './download';
export type { NsfwjsBackbone, NsfwjsOptions, WeightsSource } from './nsfwjs-weights';
export { cacheStatus, kerasCacheDir } from './cache';
export { importNsfwjsWeights, loadNsfwjsBackbone, nsfwjsSource } from './nsfwjs-weights';
export { installWeightsFile, type InstallOptions, type InstallResult } from './install';
export { writeKerasArchive, writeLegacyModelH5, writeLegacyWeightsH5, writeKeras3WeightsH5 } from './h5-export';

export interface DownloadWeightsOptions extends CacheOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /**
   * Tests only: fetch from this http://127.0.0.1 base URL (plus Keras's file name) instead of
   * Keras's https URL. Ignored unless `allowLocalHttp` is set too; the hash check still applies.
   */
  testBaseUrl?: string;
  /** Tests only: see DownloadOptions.allowLocalHttp. */
  allowLocalHttp?: boolean;
}

/**
 * Downloads Keras's weight file for a model into the Keras cache (resumable, hash-checked, locked).
 * Returns at once when a verified copy is already there.
 * @throws AppError MODEL_UNKNOWN, DOWNLOAD_FAILED, DOWNLOAD_CANCELLED, WEIGHTS_CORRUPT, DISK_FULL, READ_ONLY
 */
export async function downloadWeights(kerasName: string, variant: WeightsVariant, opts: DownloadWeightsOptions = {}): Promise<DownloadResult> {
  const f = kerasWeightFile(kerasName, variant);
  const url = opts.allowLocalHttp && opts.testBaseUrl ? new URL(f.file_name, opts.testBaseUrl.endsWith('/') ? opts.testBaseUrl : `${opts.testBaseUrl}/`).href : f.url;
  return downloadFile({
    url,
    allowLocalHttp: opts.allowLocalHttp,
    dest: path.join(kerasCacheDir(opts), f.file_name),
    expectedHash: f.file_hash,
    hashAlgorithm: f.hash_algorithm,
    signal: opts.signal,
    onProgress: opts.onProgress,
    env: opts.env,
  });
}

/** Checks the cached file against Keras's hash ('unverifiable' for MobileNet/MobileNetV2, which have none). */
export const verify = verifyCached;

/** Deletes a cached weight file and its `.part`. */
export const remove = removeCached;

export interface ImportWeightsOptions {
  /** Pair by layer name (accepting the Keras 2 names in official files) instead of Keras's positional rule. */
  byName?: boolean;
  /** Skip weights whose shape differs (a different head) instead of failing. */
  skipMismatch?: boolean;
  /** Keras model name for the legacy-name map ('ResNet50'); guessed from model.name otherwise. */
  kerasName?: string;
}

/** What a file holds, from its first bytes (HDF5 signature, zip, JSON), falling back to the extension. */
export async function detectWeightsFormat(file: string): Promise<'h5' | 'keras' | 'tfjs'> {
  let head = Buffer.alloc(0);
  try {
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(8);
      const { bytesRead } = await fh.read(buf, 0, 8, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `No such weights file: ${file}. Check the path.`, { file }, { cause: err });
    throw new AppError('FILE_UNREADABLE', `Cannot read ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
  if (head.subarray(0, 4).toString('latin1') === '\x89HDF') return 'h5';
  if (head.subarray(0, 2).toString('latin1') === 'PK') return 'keras';
  if (head.subarray(0, 1).toString('latin1') === '{') return 'tfjs';
  const ext = path.extname(file).toLowerCase();
  if (ext === '.keras') return 'keras';
  if (ext === '.json') return 'tfjs';
  return 'h5';
}

/**
 * Loads a weights file into `model`: Keras `.h5` (legacy weights-only or full model, Keras 3
 * `.weights.h5`), a `.keras` archive, or a TF.js `model.json`. Nothing changes unless the file fits.
 * @throws AppError NOT_FOUND, FILE_UNREADABLE, FILE_CORRUPT, WEIGHTS_MISMATCH, UNSUPPORTED
 */
export async function importWeightsFile(model: tf.LayersModel, file: string, opts: ImportWeightsOptions = {}): Promise<ImportReport> {
  const format = await detectWeightsFormat(file);
  if (format === 'keras') return importKerasArchive(model, file, opts);
  if (format === 'tfjs') return importTfjsWeights(model, file, { skipMismatch: opts.skipMismatch });
  return importH5Weights(model, file, opts);
}
