// SPDX-License-Identifier: MIT
// Runs a planned training job in a worker thread and keeps SQLite in step with it: status,
// every epoch's metrics, the backend, the evaluation and the model artifact. One registry per
// process, so cancel and wait work whichever API object the call came through.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelArtifactMeta } from '../engine/artifacts/model-artifact';
import { preprocessFor } from '../engine/zoo/registry';
import type { PreprocessMode } from '../engine/zoo/types';
import { runTrainingInWorker, type WorkerJob, type WorkerResult } from '../engine/train/run-in-worker';
import { createLogger } from '../platform/logger';
import { featureCacheDir, imageCacheDir } from '../platform/paths';
import { AppError, serializeError } from '../shared/errors';
import { getRun, markInterruptedRuns, recordEpoch, updateRun, type EpochMetricRecord, type RunStatus } from '../store/repos/runs';
import type { EpochRecord } from '../engine/train/types';
import { isProcessAlive } from '../store/repos/jobs';
import type { Db } from '../store/db';
import type { ServiceContext } from './context';
import { readJob, type RunJob } from '../engine/train/plan';

const log = createLogger('train');

interface ActiveRun {
  controller: AbortController;
  done: Promise<RunStatus>;
}

const active = new Map<number, ActiveRun>();
const checkedDbs = new WeakSet<Db>();

/** Once per database and process: runs left 'running' by a dead process become 'interrupted'. */
export function markDeadRuns(db: Db): void {
  if (checkedDbs.has(db)) return;
  checkedDbs.add(db);
  const n = markInterruptedRuns(db, (pid) => pid === process.pid || isProcessAlive(pid));
  if (n) log.info(`${n} run(s) left running by a stopped process marked interrupted (resumable)`);
}

/** Resolves when the run's worker finished (at once when it is not running in this process). */
export function waitForRun(runId: number): Promise<RunStatus | undefined> {
  return active.get(runId)?.done ?? Promise.resolve(undefined);
}

export function isActive(runId: number): boolean {
  return active.has(runId);
}

/** Asks a run of this process to stop; the worker stops after the batch in flight. */
export function cancelRun(runId: number): boolean {
  const run = active.get(runId);
  if (!run) return false;
  run.controller.abort();
  return true;
}

/**
 * The module the worker imports to build its data. From sources it is the .ts file; a bundle
 * must emit it as a sibling `train-folder-data.js` (scripts/build-main.mjs).
 */
function folderDataModule(): string {
  if (import.meta.url.endsWith('.ts')) return fileURLToPath(new URL('../engine/runs/folder-data.ts', import.meta.url));
  return fileURLToPath(new URL('./train-folder-data.js', import.meta.url));
}

/** The preprocessing a trained model's inputs get (stored in the model artifact). */
export function preprocessModeFor(backbone: string, weights: string): PreprocessMode {
  return preprocessFor(backbone, weights);
}

export const modelDirOf = (runDir: string): string => path.join(runDir, 'model');

/** What the run's model artifact says about itself (the worker writes it with saveModelArtifact). */
function artifactMeta(runId: number, job: RunJob): Omit<ModelArtifactMeta, 'format' | 'version' | 'createdAt'> {
  const weights = String(job.config.weights ?? 'none');
  return { labels: job.data.classes, inputSize: job.data.imageSize, preprocess: preprocessModeFor(job.config.backbone, weights), backbone: job.config.backbone, weights, runId };
}

function meanImagesPerSec(result: WorkerResult): number | undefined {
  const v = result.history.map((h) => h.imagesPerSec).filter((x) => Number.isFinite(x) && x > 0);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
}

/**
 * Starts run `runId` from `job` (a new run: the job is in memory, job.json is its copy for a
 * later resume), or resumes it from the job.json in its folder (`job` omitted), in a worker
 * thread. Returns at once; `waitForRun` gives the final status.
 * @throws AppError CONFLICT when the run is already training in this process.
 */
export function launchRun(ctx: ServiceContext, runId: number, runDir: string, resume: boolean, job?: RunJob): void {
  if (active.has(runId)) throw new AppError('CONFLICT', `Run ${runId} is already training. Cancel it first (train.cancel) or wait for it to finish.`, { runId });
  const controller = new AbortController();
  const done = execute(ctx, runId, runDir, resume, controller.signal, job).finally(() => active.delete(runId));
  active.set(runId, { controller, done });
}

async function execute(ctx: ServiceContext, runId: number, runDir: string, resume: boolean, signal: AbortSignal, given?: RunJob): Promise<RunStatus> {
  const { db } = ctx;
  const run = getRun(db, runId)!;
  const priorNotes = run.engineNotes ? run.engineNotes.split('\n') : [];
  const setStatus = (status: RunStatus, patch: Parameters<typeof updateRun>[2] = {}) => {
    updateRun(db, runId, { status, ...patch });
    ctx.emit('train.status', { runId, status, ...(patch.error ? { error: patch.error } : {}) });
  };
  try {
    const job = given ?? (await readJob(runDir));
    // Keys the request does not hold (retrainOf, sourceRunId) stay.
    updateRun(db, runId, { config: { ...run.config, ...job.request, resolved: job.config, pid: process.pid } });
    setStatus('running', resume ? { engineNotes: [...priorNotes, `resumed at ${new Date().toISOString()} from the last epoch checkpoint`].join('\n') } : { engineNotes: job.notes.join('\n') });
    if (resume) await recordCheckpointedEpochs(db, runId, path.join(runDir, 'checkpoints'));
    const workerJob: WorkerJob = {
      config: job.config,
      // The model is split at each phase's freeze boundary: frozen part on ONNX Runtime, the rest
      // in TF.js (the worker decides from the config alone, so a resumed run takes the same path).
      images: { module: folderDataModule(), export: 'folderImageData', args: { ...job.data, imageCacheDir: imageCacheDir() } },
      fastPath: { cacheDir: featureCacheDir() },
      checkpointDir: path.join(runDir, 'checkpoints'),
      resume,
      artifact: { dir: modelDirOf(runDir), meta: artifactMeta(runId, job) },
      backend: job.backend,
    };
    const result = await runTrainingInWorker(workerJob, {
      signal,
      onBatch: (e) => ctx.emit('train.batch', { runId, ...e }),
      onEpoch: (e) => {
        recordEpoch(db, runId, epochRow(e));
        ctx.emit('train.epoch', { runId, ...e });
      },
    });
    const modelDir = result.modelPath ? modelDirOf(runDir) : null;
    const evalSplit = job.data.test.length ? 'test' : 'validation';
    const evaluation = result.evaluation ? { ...result.evaluation, split: evalSplit, ...(run.datasetId ? { datasetId: run.datasetId } : {}) } : null;
    const ips = meanImagesPerSec(result);
    const notes = [
      ...(getRun(db, runId)?.engineNotes?.split('\n') ?? []),
      `backend: ${result.backend}${job.backend === 'auto' ? ' (chosen automatically: tfjs-node-gpu, then tfjs-node, then wasm, then cpu)' : ''}`,
      ...(result.engineNotes ? [result.engineNotes] : []),
      ...(ips ? [`training speed: ${ips.toFixed(1)} images/s (mean over epochs)`] : []),
      ...(result.best ? [`best validation loss ${result.best.valLoss.toFixed(4)} at phase ${result.best.phase} epoch ${result.best.epoch}; the saved model has those weights`] : []),
      evaluation ? `evaluated on the ${evalSplit} split (${evaluation.n} images)` : 'no validation or test images: no evaluation',
      ...(modelDir ? [`model: ${modelDir}`] : []),
    ];
    setStatus('completed', { backend: result.backend, evaluation, engineNotes: notes.join('\n') });
    return 'completed';
  } catch (err) {
    if (AppError.is(err, 'CANCELLED')) {
      setStatus('cancelled', { error: null });
      return 'cancelled';
    }
    const e = serializeError(err);
    log.error(`run ${runId} failed: ${e.message}`);
    setStatus('failed', { error: e.message });
    return 'failed';
  }
}

const epochRow = (e: EpochRecord): EpochMetricRecord => ({ phase: e.phase, epoch: e.epoch, loss: e.loss, acc: e.acc, valLoss: e.valLoss ?? null, valAcc: e.valAcc ?? null, lr: e.lr, seconds: e.seconds, imagesPerSec: e.imagesPerSec });

/**
 * Stores (upserts) every epoch the run's checkpoints completed. The worker publishes a checkpoint
 * before this process records its epoch, so a kill between the two left an epoch the resumed run
 * skips and nobody stored; the checkpoint's own history fills it in.
 */
export async function recordCheckpointedEpochs(db: Db, runId: number, checkpointDir: string): Promise<number> {
  const { checkpointHistory } = await import('../engine/train/checkpoint');
  const history = await checkpointHistory(checkpointDir);
  for (const e of history) {
    recordEpoch(db, runId, epochRow(e));
  }
  return history.length;
}

/** Whether a run's folder still has what resume needs. */
export function canResume(runDir: string | null): boolean {
  return !!runDir && existsSync(path.join(runDir, 'job.json'));
}
