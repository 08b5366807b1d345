// SPDX-License-Identifier: MIT
// Jobs that run inside one call (dataset import, evaluation, export): registered by id with an
// AbortController so `jobs.cancel` can stop them, reporting 'job.progress' while they run and
// 'job.status' when they end. Training, classification and downloads keep their own registries
// (they outlive the call that starts them); jobs.cancel routes to those by kind.
import { randomUUID } from 'node:crypto';
import { AppError, serializeError } from '../shared/errors';
import type { Handlers } from '../shared/ipc/contract';
import type { JobKind, jobsMethods } from '../shared/ipc/methods/jobs';
import { cancelClassifyJob } from './classify-jobs';
import type { ServiceContext } from './context';
import { cancelRun } from './train-runner';
import { cancelDownload } from './weights';

export interface CallJob {
  jobId: string;
  signal: AbortSignal;
  progress(done: number, total?: number, message?: string): void;
  /** Throws CANCELLED once the job is cancelled; call it between steps. */
  check(): void;
}

const PROGRESS_INTERVAL_MS = 100;
const running = new Map<string, { kind: JobKind; controller: AbortController }>();

/**
 * Runs `work` as a cancellable job of `kind`.
 * @throws AppError CONFLICT when a job with the same id is running; CANCELLED when it is cancelled
 */
export async function runCallJob<T>(ctx: ServiceContext, kind: JobKind, requestedId: string | undefined, work: (job: CallJob) => Promise<T>): Promise<T> {
  const jobId = requestedId ?? `${kind}:${randomUUID()}`;
  if (running.has(jobId)) throw new AppError('CONFLICT', `A job with id ${jobId} is already running. Pick another id.`, { jobId });
  const controller = new AbortController();
  running.set(jobId, { kind, controller });
  const check = () => {
    if (controller.signal.aborted) throw new AppError('CANCELLED', `The ${kind} job ${jobId} was cancelled.`, { jobId, kind });
  };
  let lastEmit = 0;
  const job: CallJob = {
    jobId,
    signal: controller.signal,
    check,
    progress(done, total, message) {
      // At most ~10 events a second per job (an import reports every file), and always the last.
      const now = Date.now();
      if (now - lastEmit < PROGRESS_INTERVAL_MS && done !== total) return;
      lastEmit = now;
      ctx.emit('job.progress', { jobId, kind, done, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) });
    },
  };
  ctx.emit('job.status', { jobId, kind, status: 'running' });
  try {
    const result = await work(job);
    // Work that finished its last step as the cancel arrived still counts as cancelled only if it
    // had not yet committed; callers commit after their last check(), so here it is complete.
    ctx.emit('job.status', { jobId, kind, status: 'completed' });
    return result;
  } catch (err) {
    const cancelled = controller.signal.aborted || AppError.is(err, 'CANCELLED');
    ctx.emit('job.status', { jobId, kind, status: cancelled ? 'cancelled' : 'failed', ...(cancelled ? {} : { error: serializeError(err).message }) });
    if (cancelled && !AppError.is(err, 'CANCELLED')) throw new AppError('CANCELLED', `The ${kind} job ${jobId} was cancelled.`, { jobId, kind }, { cause: err });
    throw err;
  } finally {
    running.delete(jobId);
  }
}

export function cancelJob(kind: JobKind, jobId: string): boolean {
  if (kind === 'train') return /^\d+$/.test(jobId) && cancelRun(Number(jobId));
  if (kind === 'classify') return /^\d+$/.test(jobId) && cancelClassifyJob(Number(jobId));
  if (kind === 'weights.download') return cancelDownload(jobId);
  const job = running.get(jobId);
  if (!job || job.kind !== kind) return false;
  job.controller.abort();
  return true;
}

export function jobsHandlers(_ctx: ServiceContext): Handlers<typeof jobsMethods> {
  return { 'jobs.cancel': async ({ kind, jobId }) => ({ cancelled: cancelJob(kind, jobId) }) };
}
