// SPDX-License-Identifier: MIT
// Classify jobs in SQLite: pick the job a command means (resume an unfinished one on the same
// folder and model, else a new one that reuses the last finished job's results for unchanged
// bytes), run it with a store-backed sink, and describe it for the UI and the CLI.
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { classifyFolder } from '../engine/classify/classify-folder';
import { parseModelArg, resolveModel, resolveModelDir } from '../engine/classify/resolve-model';
import type { ClassifyProgress, ClassifySummary, EngineName, ResolvedModel, ResultSink } from '../engine/classify/types';
import { dataDir, imageCacheDir } from '../platform/paths';
import { AppError, serializeError } from '../shared/errors';
import type { ClassifyJobDto } from '../shared/dto/classify';
import type { Db } from '../store/db';
import { CLASSIFY_JOB_KIND, countResults, findByHash, findClassifyJobs, hasResult, insertResults } from '../store/repos/classify';
import { createJob, getJob, isProcessAlive, listJobs, markInterruptedJobs, updateJob, type JobRecord } from '../store/repos/jobs';
import { getRun } from '../store/repos/runs';

/** What a classify job records in jobs.params. */
export interface ClassifyParams {
  root: string;
  /** What the user passed as MODEL. */
  model: string;
  source: string;
  modelKey: string;
  recursive: boolean;
  topK: number;
  threshold: number;
  labels: string[];
  /** A finished job on the same folder and model whose results are reused for identical bytes. */
  reuseFrom: number | null;
}

export interface ClassifyRequest {
  model?: string;
  dir?: string;
  recursive?: boolean;
  topK?: number;
  threshold?: number;
  resume?: number;
}

export interface PreparedJob {
  jobId: number;
  resumed: boolean;
  model: ResolvedModel;
  params: ClassifyParams;
}

export interface RunHooks {
  signal?: AbortSignal;
  onProgress?: (p: ClassifyProgress) => void;
  batchSize?: number;
  workers?: number;
  engine?: 'auto' | EngineName;
}

/** Jobs running in this process, for cancel. */
const running = new Map<number, AbortController>();

/** Where organise undo logs and other per-job files live. */
export const jobDirOf = (jobId: number): string => path.join(dataDir(), 'classify', `job-${jobId}`);

/** @throws AppError NOT_FOUND for an unknown run or a run without a model yet, and resolveModel's errors. */
export async function resolveClassifyModel(db: Db, arg: string): Promise<ResolvedModel> {
  const ref = parseModelArg(arg);
  if (ref.kind !== 'run') return resolveModel(ref);
  const run = getRun(db, ref.runId);
  if (!run) throw new AppError('NOT_FOUND', `There is no training run ${ref.runId}. List runs with \`transfer-studio runs\`, or pass a model folder or a zoo model name.`, { received: arg });
  if (!run.dir || !existsSync(path.join(run.dir, 'model', 'meta.json'))) {
    throw new AppError('NOT_FOUND', `Run ${run.id} has no trained model yet (status ${run.status}). Wait for it to finish, or resume it.`, { runId: run.id });
  }
  return resolveModelDir(path.join(run.dir, 'model'), run.id);
}

export function classifyJob(db: Db, id: number): JobRecord {
  const job = getJob(db, id);
  if (!job || job.kind !== CLASSIFY_JOB_KIND) {
    throw new AppError('NOT_FOUND', `There is no classify job ${id}. List them with \`transfer-studio classify jobs\`.`, { received: id });
  }
  return job;
}

function assertNotRunning(job: JobRecord): void {
  if (job.status === 'running' && (running.has(job.id) || (job.pid !== null && job.pid !== process.pid && isProcessAlive(job.pid)))) {
    throw new AppError('CONFLICT', `Classify job ${job.id} is running (process ${job.pid}). Wait for it or cancel it first.`, { jobId: job.id });
  }
}

/**
 * Finds or creates the job for a request and marks it running in this process.
 * @throws AppError INVALID_ARGUMENT (no folder/model and no resume), NOT_FOUND, CONFLICT (running elsewhere or another model)
 */
export async function prepareClassifyJob(db: Db, req: ClassifyRequest): Promise<PreparedJob> {
  markInterruptedJobs(db);
  const resumeJob = req.resume !== undefined ? classifyJob(db, req.resume) : undefined;
  const prior = resumeJob?.params as ClassifyParams | undefined;
  const modelArg = req.model ?? prior?.model;
  const dirArg = req.dir ?? prior?.root;
  if (!modelArg || !dirArg) {
    throw new AppError('INVALID_ARGUMENT', 'Pass --model MODEL and a folder, or --resume JOB. Received neither.', {});
  }
  let root: string;
  try {
    root = await fs.realpath(dirArg);
  } catch (err) {
    throw new AppError('NOT_FOUND', `The folder to classify does not exist: ${dirArg}. Pass an existing folder of images.`, { path: dirArg }, { cause: err });
  }
  const model = await resolveClassifyModel(db, modelArg);
  const recursive = req.recursive ?? prior?.recursive ?? false;
  let job = resumeJob;
  if (job) {
    if (prior!.modelKey !== model.modelKey || prior!.root !== root) {
      throw new AppError('CONFLICT', `Job ${job.id} classified ${prior!.root} with ${prior!.source}; the model or folder differs now, so it cannot be resumed. Start a new job instead.`, { jobId: job.id });
    }
  } else {
    const same = findClassifyJobs(db, root, model.modelKey, recursive);
    const newest = same[0];
    if (newest && newest.status !== 'completed') job = newest;
  }
  if (job) {
    assertNotRunning(job);
    updateJob(db, job.id, { status: 'running', pid: process.pid, error: null });
    return { jobId: job.id, resumed: true, model, params: job.params as unknown as ClassifyParams };
  }
  const finished = findClassifyJobs(db, root, model.modelKey, recursive).find((j) => j.status === 'completed');
  const params: ClassifyParams = {
    root,
    model: modelArg,
    source: model.source,
    modelKey: model.modelKey,
    recursive,
    topK: Math.min(req.topK ?? 5, model.labels.length),
    // The run's own threshold (picked on its validation set) unless the request names one.
    threshold: req.threshold ?? (model.runId !== null ? getRun(db, model.runId)?.threshold : null) ?? 0.5,
    labels: model.labels,
    reuseFrom: finished?.id ?? null,
  };
  const created = createJob(db, CLASSIFY_JOB_KIND, params);
  return { jobId: created.id, resumed: false, model, params };
}

/** The sink that stores each batch in its own transaction as it is produced. */
export function storeSink(db: Db, jobId: number, reuseFrom: number | null): ResultSink {
  return {
    has: (rel) => hasResult(db, jobId, rel),
    reuse: (rel, sha) => (reuseFrom === null ? undefined : findByHash(db, reuseFrom, rel, sha)),
    write: (rs) => insertResults(db, jobId, rs),
  };
}

/**
 * Runs a prepared job to the end, recording progress in the job row about every 2 s.
 * @throws AppError CANCELLED (job 'cancelled', resumable) or the engine's error (job 'failed', resumable)
 */
export async function runClassifyJob(db: Db, job: PreparedJob, hooks: RunHooks = {}): Promise<ClassifySummary> {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  hooks.signal?.addEventListener('abort', onAbort);
  if (hooks.signal?.aborted) ac.abort();
  running.set(job.jobId, ac);
  let lastSaved = 0;
  try {
    const summary = await classifyFolder(job.model, storeSink(db, job.jobId, job.params.reuseFrom), {
      root: job.params.root,
      recursive: job.params.recursive,
      topK: job.params.topK,
      threshold: job.params.threshold,
      batchSize: hooks.batchSize,
      workers: hooks.workers,
      engine: hooks.engine,
      onnxCacheDir: path.join(dataDir(), 'onnx-cache'),
      imageCacheDir: imageCacheDir(),
      signal: ac.signal,
      onProgress: (p) => {
        if (performance.now() - lastSaved > 2000) {
          lastSaved = performance.now();
          updateJob(db, job.jobId, { progress: p });
        }
        hooks.onProgress?.(p);
      },
    });
    updateJob(db, job.jobId, { status: 'completed', progress: summary, pid: null });
    return summary;
  } catch (err) {
    const cancelled = AppError.is(err, 'CANCELLED');
    updateJob(db, job.jobId, { status: cancelled ? 'cancelled' : 'failed', error: cancelled ? null : serializeError(err).message, pid: null });
    throw err;
  } finally {
    running.delete(job.jobId);
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}

/** Aborts a job running in this process. @returns false when it is not running here. */
export function cancelClassifyJob(jobId: number): boolean {
  const ac = running.get(jobId);
  ac?.abort();
  return ac !== undefined;
}

/** Undo logs of a job's organise runs, oldest first. */
export function organizeLogs(jobId: number): ClassifyJobDto['organize'] {
  const dir = jobDirOf(jobId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith('organize-') && f.endsWith('.jsonl'))
    .sort()
    .map((f) => {
      const logPath = path.join(dir, f);
      const text = readFileSync(logPath, 'utf8');
      const begin = JSON.parse(text.slice(0, text.indexOf('\n'))) as { mode: 'copy' | 'move'; dest: string; time: string };
      return { logPath, mode: begin.mode, dest: begin.dest, undone: text.includes('"type":"undone"'), createdAt: begin.time };
    });
}

export function jobDto(db: Db, job: JobRecord): ClassifyJobDto {
  const p = job.params as unknown as ClassifyParams;
  const progress = job.progress as Partial<ClassifySummary>;
  return {
    id: job.id,
    status: job.status,
    root: p.root,
    model: p.source,
    modelKey: p.modelKey,
    recursive: p.recursive,
    topK: p.topK,
    threshold: p.threshold,
    labels: p.labels,
    engine: progress.engine ?? null,
    fallbackReason: progress.fallbackReason ?? null,
    progress: { ...progress },
    counts: countResults(db, job.id),
    organize: organizeLogs(job.id),
    error: job.error,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

export function listClassifyJobs(db: Db): ClassifyJobDto[] {
  markInterruptedJobs(db);
  return listJobs(db, CLASSIFY_JOB_KIND).map((j) => jobDto(db, j));
}
