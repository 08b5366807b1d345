// SPDX-License-Identifier: MIT
// Puts a user's Keras weights file into the cache under Keras's own file name, so both Keras and
// this app use it as if it had been downloaded. Only a file that loads completely into the zoo
// model (and matches Keras's hash where Keras lists one) goes in; it is copied to a temporary name
// under the download lock and renamed, so the cache never holds a half-copied or foreign file.
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { hashFile, sha256File } from '../../platform/hash';
import { AppError } from '../../shared/errors';
import { createModel } from '../zoo/registry';
import type { ImportReport } from './apply';
import { requireComplete } from './availability';
import { hashAlgorithmFor, kerasCacheDir, kerasWeightFile, type CacheOptions, type WeightsVariant } from './cache';
import { importH5Weights } from './h5-import';
import { tryLock } from './lock';

/** Folder under the Keras cache for imported Keras 3 weight files (Keras never reads it). */
export const KERAS3_SUBDIR = 'transfer-studio';

export interface InstallOptions extends CacheOptions {
  /** Pair layers by name (Keras 2 names accepted) instead of Keras's positional rule. */
  byName?: boolean;
}

export interface InstallResult {
  kerasName: string;
  variant: WeightsVariant;
  path: string;
  bytes: number;
  /** keras-v3-weights: a Keras 3 `.weights.h5`, kept under KERAS_CACHE/transfer-studio/ (see installWeightsFile). */
  format: 'keras-h5-weights' | 'keras-h5-model' | 'keras-v3-weights';
  layers: number;
  weightsLoaded: number;
  replaced: boolean;
}

function fsError(err: unknown, dir: string, file: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new AppError('DISK_FULL', `The disk holding ${dir} is full while copying ${file} into it. Free some space or choose another weights folder.`, { dir, file }, { cause: err });
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return new AppError('READ_ONLY', `The weights folder ${dir} is not writable (${code}). Choose another weights folder or fix its permissions.`, { dir, file }, { cause: err });
  if (code === 'ENOENT') return new AppError('NOT_FOUND', `${file} disappeared while it was being copied into ${dir}.`, { dir, file }, { cause: err });
  return new AppError('INTERNAL', `Copying ${file} into ${dir} failed: ${(err as Error).message}`, { dir, file }, { cause: err });
}

/** Loads `file` into a fresh zoo model of the variant; throws unless every weighted layer received its weights. */
async function checkLoads(kerasName: string, variant: WeightsVariant, file: string, byName: boolean): Promise<ImportReport> {
  const model: tf.LayersModel = createModel(kerasName, { includeTop: variant === 'top' });
  try {
    const report = await importH5Weights(model, file, { byName, kerasName });
    requireComplete(report, file, `${kerasName} (${variant})`);
    return report;
  } finally {
    model.dispose();
  }
}

/** Picks the variant from the file name first (Keras names notop files `..._notop.h5` / `..._no_top.h5`). */
function variantOrder(file: string, variant?: WeightsVariant): WeightsVariant[] {
  if (variant) return [variant];
  return /no_?top/i.test(path.basename(file)) ? ['notop', 'top'] : ['top', 'notop'];
}

/**
 * Checks that a Keras weights file loads completely into the zoo model. A legacy `.h5` (weights
 * only or full model) must also be Keras's own file where Keras lists a hash, and goes into the
 * cache under Keras's name; a Keras 3 `.weights.h5` goes to `<cache>/transfer-studio/`.
 * Without `variant`, the variant the file fits is detected.
 * @throws AppError MODEL_UNKNOWN, NOT_FOUND, FILE_CORRUPT, WEIGHTS_MISMATCH, WEIGHTS_CORRUPT, UNSUPPORTED, CONFLICT, DISK_FULL, READ_ONLY
 */
export async function installWeightsFile(kerasName: string, file: string, variant?: WeightsVariant, opts: InstallOptions = {}): Promise<InstallResult> {
  const src = path.resolve(file);
  let srcStat;
  try {
    srcStat = await stat(src);
  } catch (err) {
    throw new AppError('NOT_FOUND', `No such weights file: ${src}. Check the path.`, { file: src }, { cause: err });
  }
  if (!srcStat.isFile()) throw new AppError('INVALID_ARGUMENT', `${src} is not a file. Pass a Keras weights .h5 file.`, { file: src });
  const srcHash = await sha256File(src);

  let chosen: WeightsVariant | undefined;
  let report: ImportReport | undefined;
  let firstError: unknown;
  for (const v of variantOrder(src, variant)) {
    try {
      report = await checkLoads(kerasName, v, src, opts.byName ?? false);
      chosen = v;
      break;
    } catch (err) {
      // A corrupt file fails the same way for both variants; only a shape/count mismatch is worth a second try.
      if (!AppError.is(err, 'WEIGHTS_MISMATCH')) throw err;
      firstError ??= err;
    }
  }
  if (!chosen || !report) throw firstError;

  const f = kerasWeightFile(kerasName, chosen);
  // A Keras 3 .weights.h5 (model.save_weights) is never Keras's own download, and Keras's
  // applications read their cache name as a legacy .h5; so it keeps its layout and goes beside the
  // cache, named after the model and the file's hash, for `train --weights FILE`.
  const keras3 = report.format === 'keras-v3';
  if (f.file_hash && !keras3) {
    const algorithm = hashAlgorithmFor(f.file_hash, f.hash_algorithm);
    const actual = await hashFile(src, algorithm);
    if (actual !== f.file_hash.toLowerCase()) {
      throw new AppError(
        'WEIGHTS_CORRUPT',
        `${src} loads into ${kerasName} but is not Keras's ${f.file_name} (${algorithm} ${actual}, Keras lists ${f.file_hash}); Keras would replace it. Use your own weights with train --weights ${src} instead.`,
        { file: src, expected: f.file_hash, actual },
      );
    }
  }

  const dir = keras3 ? path.join(kerasCacheDir(opts), KERAS3_SUBDIR) : kerasCacheDir(opts);
  const dest = path.join(dir, keras3 ? `${f.file_name.replace(/\.h5$/, '')}.${srcHash.slice(0, 12)}.weights.h5` : f.file_name);
  const tmp = `${dest}.import-${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fsError(err, dir, src);
  }
  let lock;
  try {
    lock = await tryLock(`${dest}.lock`);
  } catch (err) {
    throw fsError(err, dir, src);
  }
  if (!lock) throw new AppError('CONFLICT', `${f.file_name} is being downloaded or imported by another process. Wait for it to finish and try again.`, { file: dest });
  try {
    const replaced = await stat(dest).then(() => true, () => false);
    try {
      await copyFile(src, tmp);
      if ((await sha256File(tmp)) !== srcHash) {
        throw new AppError('FILE_CORRUPT', `${src} changed while it was being imported. Try again once nothing writes to it.`, { file: src });
      }
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw fsError(err, dir, src);
    }
    return { kerasName, variant: chosen, path: dest, bytes: srcStat.size, format: keras3 ? 'keras-v3-weights' : (report.format as InstallResult['format']), layers: report.loaded.length, weightsLoaded: report.weightsLoaded, replaced };
  } finally {
    await lock.release();
  }
}
