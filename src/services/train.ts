// SPDX-License-Identifier: MIT
// train.*, runs.* and eval.run: plan a run on an imported dataset, train it in a worker thread,
// cancel and resume it, list runs with their epochs and evaluation, re-evaluate a trained model.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadModelArtifact } from '../engine/artifacts/model-artifact';
import { initBackend } from '../engine/backend/backend';
import { predictSource } from '../engine/eval/evaluate';
import { evaluatePredictions } from '../engine/eval/metrics';
import { folderSource } from '../engine/runs/folder-data';
import type { FolderDataArgs } from '../engine/train/types';
import { imageCacheDir, runsDir } from '../platform/paths';
import { preprocessInput } from '../engine/zoo/preprocess';
import type { EvaluationDto, RunDetail, RunSummary, TrainStart } from '../shared/dto/train';
import type { Handlers } from '../shared/ipc/contract';
import type { trainMethods } from '../shared/ipc/methods/train';
import { AppError } from '../shared/errors';
import { assignSplits, listImages } from '../store/repos/datasets';
import { createRun, getRun, listEpochs, listRuns, updateRun, type RunRecord } from '../store/repos/runs';
import { savePredictions } from '../store/repos/health';
import { isProcessAlive } from '../store/repos/jobs';
import type { Db } from '../store/db';
import type { ServiceContext } from './context';
import { confinePath } from './paths';
import { requireDataset } from './datasets';
import { runCallJob } from './jobs';
import { checkRunWeights, isWeightsFile, planRun, readJob, userSplitOf, writeJob } from '../engine/train/plan';
import { cancelRun, canResume, isActive, launchRun, markDeadRuns, modelDirOf } from './train-runner';

type TrainMethods = Pick<typeof trainMethods, 'train.start' | 'train.cancel' | 'train.resume' | 'runs.list' | 'runs.get' | 'eval.run'>;

export function requireRun(db: Db, id: number): RunRecord {
  const r = getRun(db, id);
  if (!r) throw new AppError('NOT_FOUND', `No run with id ${id}. List runs with \`transfer-studio runs\`.`, { id });
  return r;
}

const accuracyOf = (r: RunRecord): number | null => (typeof r.evaluation?.accuracy === 'number' ? r.evaluation.accuracy : null);

export function toSummary(r: RunRecord): RunSummary {
  return { id: r.id, projectId: r.projectId, datasetId: r.datasetId, backbone: r.backbone, weights: r.weights, status: r.status, backend: r.backend, startedAt: r.startedAt, finishedAt: r.finishedAt, accuracy: accuracyOf(r), error: r.error, name: r.name, threshold: r.threshold, sourceRunId: typeof r.config.sourceRunId === 'number' ? r.config.sourceRunId : null };
}

function toDetail(db: Db, r: RunRecord): RunDetail {
  const modelDir = r.dir && existsSync(path.join(modelDirOf(r.dir), 'meta.json')) ? modelDirOf(r.dir) : null;
  return {
    ...toSummary(r),
    config: r.config,
    epochs: listEpochs(db, r.id),
    evaluation: (r.evaluation as EvaluationDto | null) ?? null,
    engineNotes: r.engineNotes ? r.engineNotes.split('\n') : [],
    dir: r.dir,
    modelDir,
  };
}

/** What eval.run scores: the run's own test split (else validation), or every usable image of another dataset. */
async function evalTarget(db: Db, run: RunRecord, labels: string[], datasetId: number | undefined): Promise<{ args: FolderDataArgs; split: string; own: boolean }> {
  const job = await readJob(run.dir!);
  if (datasetId === undefined || datasetId === run.datasetId) {
    const items = job.data.test.length ? job.data.test : job.data.validation;
    if (!items.length) throw new AppError('INVALID_ARGUMENT', `Run ${run.id} kept no test or validation images to evaluate on. Pass another dataset (eval RUN --data DIR).`);
    return { args: { ...job.data, augment: null }, split: job.data.test.length ? 'test' : 'validation', own: true };
  }
  const d = requireDataset(db, datasetId);
  const images = listImages(db, datasetId);
  const hasTest = images.some((im) => userSplitOf(im.path, d.layout) === 'test');
  const usable = images.filter((im) => labels.includes(im.className) && (!hasTest || userSplitOf(im.path, d.layout) === 'test'));
  if (!usable.length) {
    throw new AppError('INVALID_ARGUMENT', `Dataset ${d.root} has no images of the model's classes (${labels.join(', ')}). Its classes: ${d.classes.join(', ')}.`);
  }
  const items = usable.map((im) => ({ path: im.path, label: labels.indexOf(im.className) }));
  return { args: { ...job.data, root: d.root, classes: labels, train: [], validation: [], test: items, augment: null }, split: hasTest ? `test folder of ${d.root}` : `all of ${d.root}`, own: false };
}

/** Plans and launches a run (train.start; train.retrain with an earlier run's settings). */
export async function startRun(ctx: ServiceContext, req: TrainStart, extra: Record<string, unknown> = {}): Promise<{ runId: number }> {
  const { db } = ctx;
  const dataset = requireDataset(db, req.datasetId);
  const images = listImages(db, dataset.id);
  if (isWeightsFile(req.weights)) req = { ...req, weights: confinePath(ctx, req.weights, 'weights file') };
  const plan = planRun(req, dataset, images);
  const { job, split } = plan;
  await checkRunWeights(plan);
  const run = createRun(db, { projectId: dataset.projectId, datasetId: dataset.id, backbone: job.config.backbone, weights: String(job.config.weights ?? 'none'), config: { ...req, ...extra, resolved: job.config } });
  const dir = path.join(runsDir(), String(run.id));
  updateRun(db, run.id, { dir });
  const assigned: Record<string, 'train' | 'validation' | 'test'> = {};
  for (const s of ['train', 'validation', 'test'] as const) for (const p of split[s]) assigned[p] = s;
  assignSplits(db, dataset.id, assigned);
  // job.json is for a later resume; this process trains from the job in memory.
  await writeJob(dir, job);
  launchRun(ctx, run.id, dir, false, job);
  return { runId: run.id };
}

/**
 * Scores a trained run (its own test split, else validation, or another dataset) and, for its own
 * split, stores the evaluation and every image's prediction (eval.cell pages through them).
 */
export async function evaluateRun(db: Db, runId: number, datasetId: number | undefined, job?: { signal: AbortSignal; progress: (done: number, total: number) => void; check: () => void }): Promise<EvaluationDto> {
  const run = requireRun(db, runId);
  const modelDir = run.dir ? modelDirOf(run.dir) : '';
  if (!run.dir || !existsSync(path.join(modelDir, 'meta.json'))) {
    throw new AppError('NOT_FOUND', `Run ${runId} has no trained model yet (status ${run.status}). Resume it with \`transfer-studio train --resume ${runId}\` or start a new run.`, { runId });
  }
  await initBackend('auto');
  const { model, meta } = await loadModelArtifact(modelDir);
  try {
    const target = await evalTarget(db, run, meta.labels, datasetId);
    const source = folderSource({ ...target.args, imageSize: meta.inputSize, imageCacheDir: imageCacheDir() }, target.args.test, false);
    const total = target.args.test.length;
    const k = meta.labels.length;
    const pred = await predictSource(model, source, {
      imageSize: meta.inputSize,
      numClasses: k,
      preprocess: (x) => preprocessInput(x, meta.preprocess),
      ...(job ? { signal: job.signal, onBatch: (done: number) => job.progress(done, total) } : {}),
    });
    job?.check();
    const evaluation = evaluatePredictions(pred.yTrue, pred.probs, k, { classNames: meta.labels, ids: pred.ids });
    const out = { ...evaluation, split: target.split, ...(datasetId ?? run.datasetId ? { datasetId: datasetId ?? run.datasetId! } : {}) };
    if (target.own) {
      updateRun(db, runId, { evaluation: out });
      const ids = pred.ids ?? target.args.test.map((t) => t.path);
      const rows = Array.from(pred.yTrue, (label, i) => {
        const scores = Array.from(pred.probs.subarray(i * k, (i + 1) * k));
        let best = 0;
        for (let j = 1; j < k; j++) if (scores[j] > scores[best]) best = j;
        return { path: ids[i], label, predicted: best, confidence: scores[best], scores };
      });
      savePredictions(db, runId, rows);
    }
    return out;
  } finally {
    model.dispose();
  }
}

export function trainHandlers(ctx: ServiceContext): Handlers<TrainMethods> {
  const { db } = ctx;
  markDeadRuns(db);
  return {
    'train.start': async (req) => startRun(ctx, req),
    'train.cancel': async ({ runId }) => {
      requireRun(db, runId);
      return { cancelled: cancelRun(runId) };
    },
    'train.resume': async ({ runId }) => {
      const run = requireRun(db, runId);
      if (run.status === 'completed') throw new AppError('CONFLICT', `Run ${runId} already completed. Start a new run to train again.`, { runId });
      const pid = (run.config as { pid?: number }).pid;
      if (isActive(runId) || (run.status === 'running' && pid && pid !== process.pid && isProcessAlive(pid))) {
        throw new AppError('CONFLICT', `Run ${runId} is still training (process ${pid}). Cancel it or wait for it to finish.`, { runId, pid });
      }
      if (!canResume(run.dir)) throw new AppError('NOT_FOUND', `Run ${runId} has no job.json in ${run.dir ?? '(no folder)'}; it cannot be resumed. Start a new run.`, { runId });
      launchRun(ctx, runId, run.dir!, true);
      return { runId };
    },
    'runs.list': async ({ projectId }) => listRuns(db, projectId).map(toSummary),
    'runs.get': async ({ id }) => toDetail(db, requireRun(db, id)),
    'eval.run': async ({ runId, datasetId, jobId }) => runCallJob(ctx, 'eval', jobId, async (job) => evaluateRun(db, runId, datasetId, job)),
  };
}
