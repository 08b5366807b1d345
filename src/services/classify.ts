// SPDX-License-Identifier: MIT
// The classify domain: start/cancel/status of jobs, paged results, hand corrections, organise
// with undo, and exports. The CLI calls the same functions in-process.
import path from 'node:path';
import { exportFormatOf, writeResults } from '../engine/classify/export';
import { organizeFiles, undoOrganize, type OrganizeSummary } from '../engine/classify/organize';
import { createLogger } from '../platform/logger';
import { classifyRowView } from '../shared/dto/classify-result';
import { AppError } from '../shared/errors';
import type { ClassifyResultDto } from '../shared/dto/classify';
import type { Handlers } from '../shared/ipc/contract';
import type { classifyMethods } from '../shared/ipc/methods/classify';
import type { Db } from '../store/db';
import { correctResult, getResult, iterateResults, pageResults, type StoredResult } from '../store/repos/classify';
import { cancelClassifyJob, classifyJob, jobDirOf, jobDto, listClassifyJobs, organizeLogs, prepareClassifyJob, runClassifyJob, type ClassifyParams } from './classify-jobs';
import type { ServiceContext } from './context';
import { confinePath } from './paths';

const log = createLogger('classify');

export function resultDto(r: StoredResult): ClassifyResultDto {
  return classifyRowView(r);
}

function assertIdle(db: Db, jobId: number): ClassifyParams {
  const job = classifyJob(db, jobId);
  if (job.status === 'running') throw new AppError('CONFLICT', `Classify job ${jobId} is still running; organise or undo once it has finished.`, { jobId });
  return job.params as unknown as ClassifyParams;
}

/**
 * Copies or moves a job's labelled files into `dest/<label>/` and `dest/unsure/`, logging each
 * step for `undoClassifyOrganize`. Hand corrections win over the model's label.
 */
export async function organizeClassifyJob(db: Db, jobId: number, dest: string, mode: 'copy' | 'move', signal?: AbortSignal): Promise<OrganizeSummary & { skippedCount: number }> {
  const params = assertIdle(db, jobId);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const logPath = path.join(jobDirOf(jobId), `organize-${stamp}.jsonl`);
  const items = (function* () {
    for (const r of iterateResults(db, jobId)) {
      yield { relPath: r.relPath, label: r.correctedLabel ?? r.label, unsure: classifyRowView(r).unsure, sha256: r.sha256 };
    }
  })();
  const s = await organizeFiles({ root: params.root, dest, mode, items, logPath, signal });
  return { ...s, skipped: s.skipped.slice(0, 1000), skippedCount: s.skipped.length };
}

/** Undoes `logPath`, or the job's newest organise run not yet undone. */
export async function undoClassifyOrganize(db: Db, jobId: number, logPath?: string) {
  assertIdle(db, jobId);
  const target = logPath ?? organizeLogs(jobId).filter((l) => !l.undone).pop()?.logPath;
  if (!target) throw new AppError('NOT_FOUND', `Job ${jobId} has no organise run left to undo.`, { jobId });
  const s = await undoOrganize(target);
  return { logPath: target, ...s };
}

/** Writes every result of the job to `out` (.csv or .json). */
export async function exportClassifyJob(db: Db, jobId: number, out: string) {
  const job = classifyJob(db, jobId);
  const params = job.params as unknown as ClassifyParams;
  const format = exportFormatOf(out);
  const file = path.resolve(out);
  const header = { id: job.id, root: params.root, model: params.source, modelKey: params.modelKey, topK: params.topK, threshold: params.threshold, status: job.status };
  const rows = await writeResults(file, iterateResults(db, jobId), { topK: params.topK, header });
  return { path: file, rows, format };
}

export function classifyHandlers(ctx: ServiceContext): Handlers<typeof classifyMethods> {
  return {
    'classify.start': async (input) => {
      // A model given as a folder is read from disk, so it is confined like the photo folder.
      const model = input.model && /[\\/]/.test(input.model) ? confinePath(ctx, input.model, 'model folder') : input.model;
      const dir = input.dir === undefined ? undefined : confinePath(ctx, input.dir, 'photo folder');
      const job = await prepareClassifyJob(ctx.db, { ...input, model, dir });
      ctx.allowedRoots.add(job.params.root);
      void runClassifyJob(ctx.db, job, {
        onProgress: (p) =>
          ctx.emit('job.progress', {
            jobId: String(job.jobId),
            kind: 'classify',
            done: p.done,
            total: p.total,
            rate: p.imagesPerSec,
            etaSeconds: p.etaSeconds ?? undefined,
            message: Object.entries(p.counts)
              .sort((a, b) => b[1] - a[1])
              .map(([k, n]) => `${k} ${n}`)
              .join(', '),
          }),
      }).catch((err: unknown) => log.warn(`classify job ${job.jobId} stopped: ${(err as Error).message}`));
      return { jobId: job.jobId, resumed: job.resumed };
    },
    'classify.cancel': async ({ jobId }) => ({ cancelled: cancelClassifyJob(jobId) }),
    'classify.status': async ({ jobId }) => jobDto(ctx.db, classifyJob(ctx.db, jobId)),
    'classify.jobs': async () => listClassifyJobs(ctx.db),
    'classify.results': async ({ jobId, offset, limit, ...filter }) => {
      classifyJob(ctx.db, jobId);
      const page = pageResults(ctx.db, jobId, filter, offset ?? 0, limit ?? 100);
      return { total: page.total, items: page.items.map(resultDto) };
    },
    'classify.correct': async ({ jobId, path: rel, label }) => {
      const params = classifyJob(ctx.db, jobId).params as unknown as ClassifyParams;
      // A correction names one of the model's classes, so organise and exports keep to known folders.
      if (label !== null && !params.labels.includes(label)) {
        throw new AppError('INVALID_ARGUMENT', `label must be one of job ${jobId}'s classes (${params.labels.slice(0, 20).join(', ')}${params.labels.length > 20 ? ', …' : ''}), or null to drop the correction. Received: ${JSON.stringify(label)}.`, { received: label });
      }
      if (!correctResult(ctx.db, jobId, rel, label)) {
        throw new AppError('NOT_FOUND', `Job ${jobId} has no result for ${JSON.stringify(rel)}. Pass a path as the results list it (relative to the folder).`, { received: rel });
      }
      return resultDto(getResult(ctx.db, jobId, rel)!);
    },
    'classify.organize': async ({ jobId, dest, mode }) => organizeClassifyJob(ctx.db, jobId, confinePath(ctx, dest, 'destination folder'), mode),
    'classify.undo': async ({ jobId, logPath }) => undoClassifyOrganize(ctx.db, jobId, logPath),
    // Browser mode writes only where it may (the home folder, folders chosen in this session).
    'classify.export': async ({ jobId, out }) => exportClassifyJob(ctx.db, jobId, confinePath(ctx, out, 'export file')),
  };
}
