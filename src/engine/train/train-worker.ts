// SPDX-License-Identifier: MIT
// Worker-thread entry: trains one job and reports events; a 'cancel' message aborts between batches.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { AppError, serializeError } from '../../shared/errors';
import { initBackend } from '../backend/backend';
import { saveModelArtifact } from '../artifacts/model-artifact';
import { saveModelToDir } from '../artifacts/model-io';
import type { ImageTrainData } from './image-train';
import { trainModel, type TrainResult } from './train-model';
import type { Backbone, TrainConfig, TrainData, TrainHooks } from './types';
import type { FromWorker, ModuleRef, ToWorker, WorkerJob } from './worker-protocol';

async function importExport<T>(ref: ModuleRef): Promise<T> {
  const url = ref.module.startsWith('file:') ? ref.module : pathToFileURL(path.resolve(ref.module)).href;
  const mod = (await import(url)) as Record<string, unknown>;
  const fn = mod[ref.export];
  if (typeof fn !== 'function') throw new Error(`${ref.module} has no exported function ${ref.export}`);
  return fn as T;
}

async function run(job: WorkerJob, signal: AbortSignal, post: (m: FromWorker) => void): Promise<void> {
  const backend = await initBackend(job.backend ?? 'cpu');
  const backboneRef = job.backbone;
  const makeBackbone = backboneRef ? await importExport<(c: TrainConfig, args: unknown) => Backbone | Promise<Backbone>>(backboneRef) : undefined;
  const hooks: TrainHooks = {
    onBatch: (event) => post({ type: 'batch', event }),
    onEpoch: (record) => post({ type: 'epoch', record }),
    signal,
    checkpointDir: job.checkpointDir,
    resume: job.resume,
    ...(makeBackbone && backboneRef ? { loadBackbone: async (c: TrainConfig) => makeBackbone(c, backboneRef.args) } : {}),
  };
  let result: TrainResult & { engineNotes?: string };
  if (job.images) {
    const makeImages = await importExport<(args: unknown) => ImageTrainData | Promise<ImageTrainData>>(job.images);
    // Loaded on demand: jobs over plain TrainData never load ONNX Runtime.
    const { trainOnImages } = await import('./image-train');
    result = await trainOnImages(job.config, await makeImages(job.images.args), hooks, job.fastPath ?? {});
  } else {
    if (!job.data) throw new AppError('INVALID_ARGUMENT', 'A training job needs `images` or `data`.');
    const makeData = await importExport<(args: unknown) => TrainData | Promise<TrainData>>(job.data);
    result = await trainModel(job.config, await makeData(job.data.args), hooks);
  }
  let modelPath: string | undefined;
  if (job.artifact) {
    await saveModelArtifact(result.model, job.artifact.dir, job.artifact.meta);
    modelPath = path.join(job.artifact.dir, 'model.json');
  } else if (job.outputDir) {
    modelPath = await saveModelToDir(result.model, job.outputDir);
  }
  result.model.dispose();
  post({ type: 'done', result: { history: result.history, evaluation: result.evaluation, best: result.best, resumed: result.resumed, backend, ...(modelPath ? { modelPath } : {}), ...(result.engineNotes ? { engineNotes: result.engineNotes } : {}) } });
}

const port = parentPort;
if (port) {
  const controller = new AbortController();
  const post = (m: FromWorker) => port.postMessage(m);
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'cancel') controller.abort();
    else if (msg.type === 'start') {
      run(msg.job, controller.signal, post)
        .catch((err: unknown) => post({ type: 'error', error: serializeError(err) }))
        .finally(() => port.close());
    }
  });
}
