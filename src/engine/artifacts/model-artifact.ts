// SPDX-License-Identifier: MIT
// A trained model on disk, as training writes it and classification, evaluation and export read
// it: TF.js layers files plus a small meta.json with everything needed to feed it images.
//   <dir>/model.json, <dir>/weights.bin, <dir>/meta.json
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { backendSettled } from '../backend/backend';
import { loadModelFromDir, saveModelToDir } from './model-io';
import type { PreprocessMode } from '../zoo/types';

export const ARTIFACT_FORMAT = 'transfer-studio-model';

export interface ModelArtifactMeta {
  format: typeof ARTIFACT_FORMAT;
  version: 1;
  /** Class names in output order. */
  labels: string[];
  /** Square input side in pixels. */
  inputSize: number;
  /** How pixels (0..255 RGB) are scaled before the model sees them. */
  preprocess: PreprocessMode;
  backbone: string;
  weights: string;
  runId?: number;
  createdAt: string;
  /** Below this top probability a prediction should be reported as "unsure" (chosen on the validation set). */
  unsureThreshold?: number;
}

/** Writes into a temporary sibling folder, then renames: a crash never leaves a half model under `dir`. */
export async function saveModelArtifact(model: tf.LayersModel, dir: string, meta: Omit<ModelArtifactMeta, 'format' | 'version' | 'createdAt'>): Promise<ModelArtifactMeta> {
  const full: ModelArtifactMeta = { format: ARTIFACT_FORMAT, version: 1, createdAt: new Date().toISOString(), ...meta };
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await saveModelToDir(model, tmp);
  await fs.writeFile(path.join(tmp, 'meta.json'), JSON.stringify(full, null, 2));
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(tmp, dir);
  return full;
}

export async function readArtifactMeta(dir: string): Promise<ModelArtifactMeta> {
  const file = path.join(dir, 'meta.json');
  if (!existsSync(file)) throw new AppError('NOT_FOUND', `${dir} is not a Transfer Studio model folder (meta.json is missing).`, { dir });
  let meta: ModelArtifactMeta;
  try {
    meta = JSON.parse(await fs.readFile(file, 'utf8')) as ModelArtifactMeta;
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `${file} is not valid JSON: ${(err as Error).message}`, { file });
  }
  if (meta.format !== ARTIFACT_FORMAT || !Array.isArray(meta.labels) || !Number.isInteger(meta.inputSize)) {
    throw new AppError('FILE_CORRUPT', `${file} is not a Transfer Studio model description (format ${JSON.stringify(meta.format)}).`, { file });
  }
  return meta;
}

/** Sets or clears the "unsure" threshold in meta.json, written to a temporary file and renamed (never half a file). */
export async function writeArtifactThreshold(dir: string, threshold: number | null): Promise<ModelArtifactMeta> {
  const meta = await readArtifactMeta(dir);
  const next: ModelArtifactMeta = { ...meta };
  if (threshold === null) delete next.unsureThreshold;
  else next.unsureThreshold = threshold;
  const file = path.join(dir, 'meta.json');
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, JSON.stringify(next, null, 2));
  await fs.rename(tmp, file);
  return next;
}

export async function loadModelArtifact(dir: string): Promise<{ model: tf.LayersModel; meta: ModelArtifactMeta }> {
  const meta = await readArtifactMeta(dir);
  await backendSettled();
  try {
    return { model: await loadModelFromDir(dir), meta };
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `Cannot load the model in ${dir}: ${(err as Error).message}`, { dir }, { cause: err });
  }
}
