// SPDX-License-Identifier: MIT
// Keras 3 `.keras` archives (keras/src/saving/saving_lib.py): a zip with metadata.json,
// config.json and model.weights.h5. We take the weights; the architecture comes from the zoo.
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { AppError } from '../../shared/errors';
import type { ImportReport } from './apply';
import { corrupt } from './h5-file';
import { importH5Weights, type H5ImportOptions } from './h5-import';

export interface KerasArchive {
  metadata: { keras_version?: string; date_saved?: string } & Record<string, unknown>;
  config: Record<string, unknown>;
  weightsH5: Uint8Array;
}

function parseJson(bytes: Uint8Array | undefined, entry: string, file: string): Record<string, unknown> {
  if (!bytes) throw corrupt(file, `the archive has no ${entry}`);
  try {
    const v = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw corrupt(file, `${entry} is not valid JSON (${(err as Error).message})`, err);
  }
}

/**
 * Reads and checks a `.keras` archive.
 * @throws AppError NOT_FOUND, FILE_UNREADABLE, FILE_CORRUPT (not a zip, truncated, bad JSON), UNSUPPORTED (npz weights)
 */
export async function readKerasArchive(file: string): Promise<KerasArchive> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `No such file: ${file}. Check the path.`, { file }, { cause: err });
    throw new AppError('FILE_UNREADABLE', `Cannot read ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw corrupt(file, `it is not a readable zip archive (${(err as Error).message})`, err);
  }
  const metadata = parseJson(entries['metadata.json'], 'metadata.json', file);
  const config = parseJson(entries['config.json'], 'config.json', file);
  const weightsH5 = entries['model.weights.h5'];
  if (!weightsH5) {
    if (entries['model.weights.npz']) throw new AppError('UNSUPPORTED', `${file} stores its weights as npz; re-save it with Keras's default weights_format="h5".`, { file });
    if (entries['model.weights.json']) throw new AppError('UNSUPPORTED', `${file} is a sharded Keras archive; re-save it unsharded.`, { file });
    throw corrupt(file, 'the archive has no model.weights.h5');
  }
  return { metadata, config, weightsH5 };
}

/** Loads the weights of a `.keras` archive into `model` (Keras 3 layout; see importH5Weights for options). */
export async function importKerasArchive(model: tf.LayersModel, file: string, opts: H5ImportOptions = {}): Promise<ImportReport> {
  const archive = await readKerasArchive(file);
  const tmp = path.join(os.tmpdir(), `ts-keras-${randomUUID()}.weights.h5`);
  try {
    await writeFile(tmp, archive.weightsH5);
    const report = await importH5Weights(model, tmp, { ...opts, displayName: `${opts.displayName ?? file} (model.weights.h5)` });
    return { ...report, file: opts.displayName ?? file };
  } finally {
    await rm(tmp, { force: true });
  }
}
