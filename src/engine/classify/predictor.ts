// SPDX-License-Identifier: MIT
// Runs a resolved model on preprocessed NHWC batches. ONNX Runtime is several times faster than
// the TF.js CPU backend here, so the model is converted once and the `.onnx` cached (next to the
// model folder when it is writable, keyed by the weights' hash); when conversion or loading fails
// the job still runs, on TF.js, and says why.
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { convertToOnnx } from '../onnx/index';
import { createSession, runSession, type InferenceSession } from '../onnx/runtime';
import { createLogger } from '../../platform/logger';
import type { EngineName, ResolvedModel } from './types';

const log = createLogger('classify');

export interface Predictor {
  engine: EngineName;
  /** Why ONNX Runtime is not used, when it is not. */
  fallbackReason: string | null;
  /** The `.onnx` file in use, when ONNX Runtime runs. */
  onnxPath: string | null;
  /** Probabilities (softmax applied when the model gives logits), `n` rows of labels.length. */
  predict(x: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface PredictorOptions {
  engine?: 'auto' | EngineName;
  /** Fallback folder for the `.onnx` cache. */
  onnxCacheDir: string;
  /** ONNX Runtime intra-op threads (default: every core). */
  threads?: number;
}

/** Where the converted model is cached: beside the model files if writable, else in the cache folder. */
export async function onnxCachePath(model: ResolvedModel, cacheDir: string): Promise<string> {
  const key = createHash('sha256').update(model.modelKey).digest('hex').slice(0, 16);
  if (model.dir) {
    try {
      await fs.access(model.dir, fs.constants.W_OK);
      return path.join(model.dir, `model-${key}.onnx`);
    } catch {
      // A read-only model folder (an installed export): use the app's cache instead.
    }
  }
  const base = model.source.replace(/^[a-z]+:/, '').split(/[\\/]/).filter(Boolean).pop() ?? 'model';
  return path.join(cacheDir, `${base.replace(/[^\w.-]+/g, '_')}-${key}.onnx`);
}

async function writeAtomic(file: string, bytes: Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, file);
}

/** Softmax of each row unless the rows already are probabilities. */
export function toProbabilities(out: Float32Array, n: number, classes: number): Float32Array {
  for (let r = 0; r < n; r++) {
    const row = out.subarray(r * classes, (r + 1) * classes);
    let sum = 0;
    let ok = true;
    for (const v of row) {
      if (!(v >= 0 && v <= 1)) ok = false;
      sum += v;
    }
    if (ok && Math.abs(sum - 1) < 1e-3) continue;
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let s = 0;
    for (let i = 0; i < classes; i++) s += row[i] = Math.exp(row[i] - max);
    for (let i = 0; i < classes; i++) row[i] /= s;
  }
  return out;
}

function checkWidth(width: number, model: ResolvedModel): void {
  if (width !== model.labels.length) {
    throw new AppError('FILE_CORRUPT', `The model (${model.source}) outputs ${width} values per image but has ${model.labels.length} labels. The model folder is inconsistent; export or train it again.`, {
      outputs: width,
      labels: model.labels.length,
    });
  }
}

function tfjsPredictor(tfModel: tf.LayersModel, model: ResolvedModel, reason: string | null): Predictor {
  const s = model.inputSize;
  return {
    engine: 'tfjs',
    fallbackReason: reason,
    onnxPath: null,
    async predict(x, n) {
      const y = tf.tidy(() => tfModel.predict(tf.tensor4d(x, [n, s, s, 3])) as tf.Tensor);
      try {
        const data = (await y.data()) as Float32Array;
        checkWidth(y.shape[y.shape.length - 1] as number, model);
        return toProbabilities(Float32Array.from(data), n, model.labels.length);
      } finally {
        y.dispose();
      }
    },
    async dispose() {
      tfModel.dispose();
    },
  };
}

function onnxPredictor(session: InferenceSession, model: ResolvedModel, onnxPath: string): Predictor {
  const s = model.inputSize;
  return {
    engine: 'onnxruntime',
    fallbackReason: null,
    onnxPath,
    async predict(x, n) {
      const r = await runSession(session, x, [n, s, s, 3]);
      checkWidth(r.shape[r.shape.length - 1], model);
      return toProbabilities(r.data, n, model.labels.length);
    },
    async dispose() {
      await session.release();
    },
  };
}

/**
 * Opens the fastest engine that can run `model`: a cached or freshly converted ONNX file on ONNX
 * Runtime, else TF.js with the reason recorded.
 * @throws AppError from loading the model itself (NOT_FOUND, FILE_CORRUPT, WEIGHTS_*).
 */
export async function createPredictor(model: ResolvedModel, opts: PredictorOptions): Promise<Predictor> {
  if (opts.engine === 'tfjs') return tfjsPredictor(await model.load(), model, 'TF.js was requested.');
  const file = await onnxCachePath(model, opts.onnxCacheDir);
  if (existsSync(file)) {
    try {
      return onnxPredictor(await createSession(file, { threads: opts.threads }), model, file);
    } catch (err) {
      log.warn(`The cached ONNX model ${file} cannot be loaded (${(err as Error).message}); converting again.`);
      await fs.rm(file, { force: true });
    }
  }
  // Errors loading the model itself are the user's to fix, so they are not turned into a fallback.
  const tfModel = await model.load();
  let reason: string;
  try {
    const bytes = convertToOnnx(tfModel, { metadata: { source: model.source, modelKey: model.modelKey } });
    await writeAtomic(file, bytes);
    const session = await createSession(file, { threads: opts.threads });
    tfModel.dispose();
    return onnxPredictor(session, model, file);
  } catch (err) {
    if (opts.engine === 'onnxruntime') {
      tfModel.dispose();
      throw err;
    }
    reason = `ONNX Runtime cannot run this model (${(err as Error).message}); TF.js is used instead, which is slower.`;
    log.warn(reason);
  }
  return tfjsPredictor(tfModel, model, reason);
}
