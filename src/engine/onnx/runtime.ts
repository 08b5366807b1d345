// SPDX-License-Identifier: MIT
// ONNX Runtime (onnxruntime-node, CPU) sessions for exported models: create from bytes or a
// file, run NHWC float32 batches.
import { existsSync } from 'node:fs';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { AppError } from '../../shared/errors';

export interface SessionOptions {
  /** Threads for one op; defaults to every core (the app runs one session at a time). */
  threads?: number;
}

export interface RunResult {
  data: Float32Array;
  shape: number[];
}

/**
 * Opens an ONNX model on the CPU execution provider with full graph optimisation.
 * @throws AppError NOT_FOUND for a missing file, FILE_CORRUPT for bytes ONNX Runtime rejects.
 */
export async function createSession(source: Uint8Array | string, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  if (typeof source === 'string' && !existsSync(source)) {
    throw new AppError('NOT_FOUND', `ONNX model file not found: ${source}. Export the model first or check the path.`, { path: source });
  }
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.threads ?? os.availableParallelism(),
    graphOptimizationLevel: 'all',
    // Idle intra-op threads sleep instead of spinning: the decode pool runs beside every session
    // (classification, the split training path), and spinning threads took its cores (measured on
    // 24 phone photos: 79 -> 70 ms CPU per image cold, 35 -> 25 over the warm image cache).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  try {
    return typeof source === 'string'
      ? await ort.InferenceSession.create(source, options)
      : await ort.InferenceSession.create(source, options);
  } catch (err) {
    const what = typeof source === 'string' ? source : `${source.byteLength} bytes`;
    throw new AppError('FILE_CORRUPT', `ONNX Runtime cannot load the model (${what}): ${(err as Error).message}`, {}, { cause: err });
  }
}

/**
 * Runs one batch. `nhwc` holds shape[0] images of shape[1..3] in NHWC order; returns the first output.
 * @throws AppError INVALID_INPUT when the data length does not match the shape.
 */
export async function runSession(session: ort.InferenceSession, nhwc: Float32Array, shape: readonly number[]): Promise<RunResult> {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== nhwc.length) {
    throw new AppError('INVALID_INPUT', `runSession: shape ${JSON.stringify(shape)} needs ${count} floats; received ${nhwc.length}. Pass the NHWC batch with its shape.`, {
      shape: [...shape],
      length: nhwc.length,
    });
  }
  const input = new ort.Tensor('float32', nhwc, [...shape]);
  const outputs = await session.run({ [session.inputNames[0]]: input });
  const out = outputs[session.outputNames[0]];
  try {
    return { data: Float32Array.from(out.data as Float32Array), shape: out.dims.map(Number) };
  } finally {
    input.dispose();
    for (const t of Object.values(outputs)) t.dispose();
  }
}

/**
 * Runs `n` images (NHWC, each `imageShape` = [H, W, C]) in batches of `batchSize` and returns the
 * first output of each image concatenated, with its per-image shape.
 */
export async function runBatches(
  session: ort.InferenceSession,
  images: Float32Array,
  imageShape: readonly [number, number, number],
  batchSize = 32,
): Promise<RunResult> {
  const per = imageShape[0] * imageShape[1] * imageShape[2];
  if (images.length % per !== 0) {
    throw new AppError('INVALID_INPUT', `runBatches: ${images.length} floats is not a whole number of ${JSON.stringify(imageShape)} images.`);
  }
  const n = images.length / per;
  const parts: Float32Array[] = [];
  let outShape: number[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const b = Math.min(batchSize, n - start);
    const r = await runSession(session, images.subarray(start * per, (start + b) * per), [b, ...imageShape]);
    parts.push(r.data);
    outShape = r.shape.slice(1);
  }
  const data = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  return { data, shape: [n, ...outShape] };
}

export type { InferenceSession } from 'onnxruntime-node';
