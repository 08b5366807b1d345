// SPDX-License-Identifier: MIT
// Messages between run-in-worker.ts (parent) and train-worker.ts (worker thread).
import type { SerializedError } from '../../shared/errors';
import type { ModelArtifactMeta } from '../artifacts/model-artifact';
import type { Evaluation } from '../eval/metrics';
import type { BatchEvent, EpochRecord, Phase, TrainConfig } from './types';

/**
 * A module and one of its exports, imported inside the worker: the only way to hand the
 * worker things that cannot be cloned (data sources, backbone builders).
 */
export interface ModuleRef {
  /** Absolute path or file: URL. */
  module: string;
  export: string;
  /** Structured-clone-safe argument for the export. */
  args?: unknown;
}

export interface WorkerJob {
  config: TrainConfig;
  /** Export: (args) => TrainData | Promise<TrainData>, for jobs over ready-made batch sources. Give this or `images`. */
  data?: ModuleRef;
  /** Export: (config, args) => Backbone | Promise<Backbone>; default: the zoo. */
  backbone?: ModuleRef;
  checkpointDir?: string;
  resume?: boolean;
  /** Where the trained model is saved (model.json + weights.bin). */
  outputDir?: string;
  /** Saves the trained model as a model artifact (saveModelArtifact: model + meta.json, atomically) instead. */
  artifact?: { dir: string; meta: Omit<ModelArtifactMeta, 'format' | 'version' | 'createdAt'> };
  /** TF.js backend for the worker (default 'cpu'). */
  backend?: 'cpu' | 'wasm' | 'tensorflow' | 'tensorflow-gpu' | 'auto';
  /**
   * Export: (args) => ImageTrainData (file lists). When set, the worker trains through trainOnImages
   * (the model split at the freeze boundary: frozen part on ONNX Runtime, the rest in TF.js).
   */
  images?: ModuleRef;
  /** Split settings for `images` (default mode 'auto', feature cache in featureCacheDir()). */
  fastPath?: { mode?: 'auto' | 'on' | 'off'; cacheDir?: string };
}

export interface WorkerResult {
  history: EpochRecord[];
  evaluation: Evaluation | null;
  best: { valLoss: number; phase: Phase; epoch: number } | null;
  resumed: boolean;
  modelPath?: string;
  backend: string;
  /** Which engine ran what (trainOnImages jobs), for runs.engine_notes. */
  engineNotes?: string;
}

export type ToWorker = { type: 'start'; job: WorkerJob } | { type: 'cancel' };
export type FromWorker =
  | { type: 'batch'; event: BatchEvent }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'done'; result: WorkerResult }
  | { type: 'error'; error: SerializedError };
