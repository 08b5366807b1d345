// SPDX-License-Identifier: MIT
// Shapes shared by the classification engine, its storage sink and the service that records jobs.
import type * as tf from '@tensorflow/tfjs';
import type { Interpolation } from '../data/decode';
import type { PreprocessMode } from '../zoo/types';

export type { ClassifiedFile, ClassifyProgress, EngineName, ProblemCode, TopKEntry } from '../../shared/dto/classify-result';
import type { ClassifyProgress, EngineName } from '../../shared/dto/classify-result';
import type { ClassifiedFile } from '../../shared/dto/classify-result';

/** The model a job runs, resolved from a run id, a folder or a zoo name. */
export interface ResolvedModel {
  /** `run:<id>`, `artifact:<dir>` or `zoo:<id>`: what the user meant, for job records. */
  source: string;
  /** Stable identity of the weights (content hash): jobs with the same key may reuse each other's results. */
  modelKey: string;
  /** Folder of the TF.js model files when there is one (the ONNX cache goes next to it). */
  dir: string | null;
  labels: string[];
  inputSize: number;
  preprocess: PreprocessMode;
  runId: number | null;
  /** Loads the TF.js model (with its weights); called only when the ONNX cache misses or fails. */
  load(): Promise<tf.LayersModel>;
}


export interface ClassifyOptions {
  root: string;
  recursive?: boolean;
  /** How many classes to keep per image (default 5, capped at the class count). */
  topK?: number;
  /** Below this top probability an image is "unsure" (default 0.5). */
  threshold?: number;
  /** Images per inference batch (default 16). */
  batchSize?: number;
  /** Caps this job's decodes at once to twice this (default: the process's decode pool, sized to the cores). */
  workers?: number;
  /** The decoded-image cache folder (absent: nothing cached). */
  imageCacheDir?: string;
  /** The decode worker's script, for bundles that name it otherwise. */
  workerUrl?: URL;
  interpolation?: Interpolation;
  /** Skip ONNX Runtime and run TF.js (for comparisons and when ONNX misbehaves). */
  engine?: 'auto' | EngineName;
  /** Where converted `.onnx` files are cached when the model folder is read-only or absent. */
  onnxCacheDir: string;
  signal?: AbortSignal;
  /** Called about every `progressMs` (default 500) and once at the end. */
  onProgress?: (p: ClassifyProgress) => void;
  progressMs?: number;
}

/**
 * Where results go. The engine never touches the database: the service passes a sink backed by
 * the store, tests may pass one backed by memory.
 */
export interface ResultSink {
  /** True when this job already holds a result (or a problem) for `relPath`: resume skips it. */
  has(relPath: string): boolean;
  /** A result for identical bytes from an earlier job with the same model, if any. */
  reuse(relPath: string, sha256: string): ClassifiedFile | undefined;
  /** Stores results durably (one transaction per call) before returning. */
  write(results: readonly ClassifiedFile[]): void;
}


export interface ClassifySummary extends ClassifyProgress {
  engine: EngineName;
  /** Why ONNX Runtime was not used, when TF.js ran instead. */
  fallbackReason: string | null;
  /** Seconds spent inside the inference engine (session.run or model.predict). */
  inferenceSeconds: number;
}
