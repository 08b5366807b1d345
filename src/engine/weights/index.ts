// SPDX-License-Identifier: MIT
// What the app, the CLI and browser mode call for pretrained weights. Everything else in this
// folder is an implementation detail.
import path from 'node:path';
import { kerasCacheDir, kerasWeightFile, removeCached, verifyCached, type CacheOptions, type WeightsVariant } from './cache';
import { downloadFile, type DownloadProgress, type DownloadResult } from './download';

export type { ImportReport, SkippedWeight } from './apply';
export type { CacheOptions, CacheStatus, CachedFileStatus, VerifyResult, WeightsVariant } from './cache';
export type { DownloadProgress, DownloadResult } from './download';
export type { NsfwjsBackbone, NsfwjsOptions, WeightsSource } from './nsfwjs-weights';
export { cacheStatus, kerasCacheDir } from './cache';
export { importNsfwjsWeights, loadNsfwjsBackbone, nsfwjsSource } from './nsfwjs-weights';
export { installWeightsFile, type InstallOptions, type InstallResult } from './install';
export { detectWeightsFormat, importWeightsFile, type ImportWeightsOptions } from './import-file';
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
