// SPDX-License-Identifier: MIT
// The one answer to "can this model start from these weights here?": the Keras cache for ImageNet,
// the npm package for bundled weights, a complete load for a user's own file. The planner, the
// backbone loader, classify and the model list all ask here, so every refusal reads the same.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { createModel, pretrainedCfgs, type ResolvedModelId } from '../zoo/registry';
import type { ModelSpec } from '../zoo/types';
import type { ImportReport } from './apply';
import { kerasCacheDir, kerasWeightFile, type CacheOptions, type WeightsVariant } from './cache';
import { importWeightsFile } from './import-file';

export interface WeightsStatus {
  available: boolean;
  /** The file the weights are read from (the Keras cache file for ImageNet), when there is one. */
  file?: string;
  /** Its size when present. */
  bytes?: number;
  /** Why they are unavailable, as one sentence that says what to do. */
  reason?: string;
}

export interface AvailabilityOptions extends CacheOptions {
  /** Keras's include-top file (classification with the ImageNet head) instead of notop (training). */
  variant?: WeightsVariant;
}

const packageInstalled = (pkg: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

const mb = (bytes: number): string => `${Math.max(1, Math.round(bytes / 1e6))} MB`;

/** Whether `m`'s weights can be loaded now, without loading them. */
export function weightsStatus(m: ResolvedModelId, opts: AvailabilityOptions = {}): WeightsStatus {
  const { spec, cfg } = m;
  const src = cfg.source;
  if (src.kind === 'none') return { available: true };
  if (src.kind === 'bundled') {
    if (packageInstalled(src.package)) return { available: true };
    return { available: false, reason: `The ${cfg.tag} weights of ${spec.name} come with the npm package ${src.package}, which is not installed: run \`npm ci\` in the app folder.` };
  }
  const variant = opts.variant ?? 'notop';
  const f = kerasWeightFile(spec.name, variant);
  const dir = kerasCacheDir(opts);
  const file = path.join(dir, f.file_name);
  if (existsSync(file)) return { available: true, file, bytes: statSync(file).size };
  const others = pretrainedCfgs(spec).filter((c) => c.tag !== cfg.tag).map((c) => c.weights);
  return {
    available: false,
    file,
    reason:
      `The ImageNet weights of ${spec.name} (${variant}${variant === 'notop' ? `, ≈${mb(src.approxBytes)}` : ''}) are not in the Keras cache: ${file} is missing. ` +
      `Download them with \`transfer-studio weights download ${spec.id} --variant ${variant}\` (or Download on the app's Backbone step), or fetch ${f.url} into ${dir}` +
      (variant === 'notop' && others.length ? `; or choose other weights (${others.join(', ')}).` : '.'),
  };
}

/** @throws AppError WEIGHTS_MISSING with weightsStatus's reason, naming the file and URL */
export function requireWeights(m: ResolvedModelId, opts: AvailabilityOptions = {}): WeightsStatus {
  const s = weightsStatus(m, opts);
  if (!s.available) {
    const url = m.cfg.source.kind === 'download' ? kerasWeightFile(m.spec.name, opts.variant ?? 'notop').url : undefined;
    throw new AppError('WEIGHTS_MISSING', s.reason!, { model: m.cfg.id, ...(s.file ? { file: s.file } : {}), ...(url ? { url } : {}) });
  }
  return s;
}

/**
 * Throws unless the import filled every weighted layer: a partial load would train from a mix of
 * the file and random values without saying so (the same rule `weights import` applies).
 * @throws AppError WEIGHTS_MISMATCH naming the file and the first layer it lacks
 */
export function requireComplete(report: ImportReport, file: string, what: string): void {
  if (report.missing.length > 0 || report.skipped.length > 0) {
    const first = report.missing[0] ?? report.skipped[0]?.layer;
    throw new AppError('WEIGHTS_MISMATCH', `${file} does not hold every weight of ${what}: nothing for layer ${first}. Pass a complete ${what} weights file.`, {
      file,
      missing: report.missing,
      skipped: report.skipped,
    });
  }
}

/** What a user's own weights file is, for the planner's notes and the run record. */
export interface WeightsFileReport {
  file: string;
  bytes: number;
  format: ImportReport['format'];
  weightsLoaded: number;
}

/**
 * Checks a user's own weights file (Keras `.h5`, Keras 3 `.weights.h5`, `.keras`, TF.js
 * `model.json`) against the backbone without its top at `imageSize`: it must exist and fill every
 * weighted layer. Runs before a run is created, so a wrong file fails at once, not in the worker.
 * @throws AppError NOT_FOUND, INVALID_ARGUMENT (a folder), FILE_UNREADABLE, FILE_CORRUPT, WEIGHTS_MISMATCH, UNSUPPORTED
 */
export async function checkWeightsFile(spec: ModelSpec, file: string, imageSize: number): Promise<WeightsFileReport> {
  const abs = path.resolve(file);
  let size: number;
  try {
    const st = statSync(abs);
    if (!st.isFile()) throw new AppError('INVALID_ARGUMENT', `${abs} is not a file. Pass a Keras .h5 / .keras file or a TF.js model.json as weights.`, { file: abs });
    size = st.size;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('NOT_FOUND', `No such weights file: ${abs}. Check the path, or pass imagenet, nsfwjs or none.`, { file: abs }, { cause: err });
  }
  const model = createModel(spec, { includeTop: false, inputShape: [imageSize, imageSize, 3], pooling: null });
  try {
    const report = await importWeightsFile(model, abs, { kerasName: spec.name });
    requireComplete(report, abs, `${spec.name} without its top`);
    return { file: abs, bytes: size, format: report.format, weightsLoaded: report.weightsLoaded };
  } finally {
    model.dispose();
  }
}
