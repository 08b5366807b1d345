// SPDX-License-Identifier: MIT
// Loading a weights file of any supported format into a model: the one entry index.ts hands on and
// availability.ts's file check uses (importing it from index.ts closed a loop through install.ts).
import { open } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { ImportReport } from './apply';
import { importH5Weights } from './h5-import';
import { importKerasArchive } from './keras-archive';
import { importTfjsWeights } from './tfjs-import';

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
