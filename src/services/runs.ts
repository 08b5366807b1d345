// SPDX-License-Identifier: MIT
// wizard.*, runs.rename/delete/setThreshold/confidences and classify.photo: the wizard's saved
// place, the runs history, the validation confidences behind the threshold picker and one-photo tests.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelArtifact, writeArtifactThreshold } from '../engine/artifacts/model-artifact';
import { initBackend } from '../engine/backend/backend';
import { topK } from '../engine/classify/topk';
import { decodeToRgb, resizeRgb } from '../engine/data/decode';
import { predictSource } from '../engine/eval/evaluate';
import { runsDir } from '../platform/paths';
import { folderSource } from '../engine/runs/folder-data';
import { preprocessInput } from '../engine/zoo/preprocess';
import { DEFAULT_UNSURE_THRESHOLD, type RunConfidences, type WizardStateDto } from '../shared/dto/runs';
import { AppError } from '../shared/errors';
import type { Handlers } from '../shared/ipc/contract';
import type { runsMethods } from '../shared/ipc/methods/runs';
import type { Db } from '../store/db';
import { deleteRun, getRun, updateRun, type RunRecord } from '../store/repos/runs';
import { getLastProjectId, getWizardState, saveWizardState, setLastProjectId } from '../store/repos/wizard';
import { getProject } from '../store/repos/projects';
import type { ServiceContext } from './context';
import { confinePath, isInside } from './paths';
import { readJob } from '../engine/train/plan';
import { isActive, modelDirOf } from './train-runner';
import { requireRun, toSummary } from './train';

function wizardState(db: Db, projectId: number | undefined): WizardStateDto {
  const lastProjectId = getLastProjectId(db);
  const id = projectId ?? lastProjectId;
  const saved = id === null ? undefined : getWizardState(db, id);
  return { lastProjectId, projectId: id, step: saved?.step ?? null, choices: saved?.choices ?? {} };
}

function requireModelDir(run: RunRecord): string {
  const dir = run.dir ? modelDirOf(run.dir) : '';
  if (!run.dir || !existsSync(path.join(dir, 'meta.json'))) {
    throw new AppError('NOT_FOUND', `Run ${run.id} has no trained model yet (status ${run.status}). Resume it with \`transfer-studio train --resume ${run.id}\` or start a new run.`, { runId: run.id });
  }
  return dir;
}

/**
 * Removes a run folder, but only one inside the app's runs folder: a record pointing elsewhere
 * (hand-edited, or imported) must never make "delete run" remove a folder the app did not create.
 */
async function removeRunDir(dir: string | null): Promise<string | null> {
  if (!dir || !existsSync(dir)) return null;
  const root = path.resolve(runsDir());
  const abs = path.resolve(dir);
  if (abs === root || !isInside(abs, root)) return null;
  await fs.rm(abs, { recursive: true, force: true });
  return abs;
}

/** Bytes of a data URL (`data:image/png;base64,...`) or of bare base64. */
export function decodeImageData(data: string): Uint8Array {
  const comma = data.startsWith('data:') ? data.indexOf(',') : -1;
  const b64 = comma >= 0 ? data.slice(comma + 1) : data;
  if (!/^[A-Za-z0-9+/=\s]+$/.test(b64)) throw new AppError('INVALID_INPUT', 'The photo is not base64 data (expected a data: URL or base64 of an image file).');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

export async function classifyPhoto(db: Db, runId: number, input: Uint8Array | string, k = 5): Promise<{ label: string | null; confidence: number; unsure: boolean; threshold: number; top: { label: string; p: number }[]; width: number; height: number; runId: number }> {
  const run = requireRun(db, runId);
  const modelDir = requireModelDir(run);
  const full = await decodeToRgb(input);
  await initBackend('auto');
  const { model, meta } = await loadModelArtifact(modelDir);
  try {
    const img = await resizeRgb(full, { width: meta.inputSize, height: meta.inputSize });
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(img.data, [1, meta.inputSize, meta.inputSize, 3]);
      return model.predict(preprocessInput(x, meta.preprocess)) as tf.Tensor;
    });
    const row = (await probs.data()) as Float32Array;
    probs.dispose();
    const top = topK(row, meta.labels, Math.min(k, meta.labels.length));
    const threshold = run.threshold ?? meta.unsureThreshold ?? DEFAULT_UNSURE_THRESHOLD;
    const unsure = top[0].p < threshold;
    return { runId, label: unsure ? null : top[0].label, confidence: top[0].p, unsure, threshold, top, width: full.width, height: full.height };
  } finally {
    model.dispose();
  }
}

/** Top-1 confidence and correctness of each validation image (else test image) of a run, ascending by confidence. */
export async function runConfidences(db: Db, runId: number): Promise<RunConfidences> {
  const run = requireRun(db, runId);
  const modelDir = requireModelDir(run);
  const job = await readJob(run.dir!);
  const split = job.data.validation.length ? 'validation' : 'test';
  const items = split === 'validation' ? job.data.validation : job.data.test;
  if (!items.length) throw new AppError('INVALID_ARGUMENT', `Run ${runId} kept no validation or test images, so no threshold can be judged on it.`, { runId });
  await initBackend('auto');
  const { model, meta } = await loadModelArtifact(modelDir);
  try {
    const args = { ...job.data, imageSize: meta.inputSize, augment: null };
    const pred = await predictSource(model, folderSource(args, items, false), { imageSize: meta.inputSize, numClasses: meta.labels.length, preprocess: (x) => preprocessInput(x, meta.preprocess) });
    const k = meta.labels.length;
    const rows: { c: number; ok: boolean }[] = [];
    for (let i = 0; i < pred.yTrue.length; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (pred.probs[i * k + j] > pred.probs[i * k + best]) best = j;
      rows.push({ c: pred.probs[i * k + best], ok: best === pred.yTrue[i] });
    }
    rows.sort((a, b) => a.c - b.c);
    return { runId, split, confidence: rows.map((r) => r.c), correct: rows.map((r) => r.ok), threshold: run.threshold };
  } finally {
    model.dispose();
  }
}

export async function deleteRunAndFiles(db: Db, id: number, keepFiles = false): Promise<{ deleted: boolean; removedDir: string | null }> {
  const run = requireRun(db, id);
  const pid = (run.config as { pid?: number }).pid;
  if (isActive(id) || (run.status === 'running' && pid !== undefined)) {
    throw new AppError('CONFLICT', `Run ${id} is training (status ${run.status}). Cancel it first (transfer-studio train --resume stops with Ctrl+C), then delete it.`, { runId: id });
  }
  // The row goes first: a crash between the two leaves an orphan folder, never a run whose files are gone.
  const deleted = deleteRun(db, id);
  const removedDir = keepFiles ? null : await removeRunDir(run.dir);
  return { deleted, removedDir };
}

export function runsHandlers(ctx: ServiceContext): Handlers<typeof runsMethods> {
  const { db } = ctx;
  return {
    'wizard.get': async ({ projectId }) => wizardState(db, projectId),
    'wizard.save': async ({ projectId, step, choices }) => {
      if (projectId !== null && !getProject(db, projectId)) throw new AppError('NOT_FOUND', `No project with id ${projectId}.`, { projectId });
      setLastProjectId(db, projectId);
      if (projectId !== null && (step !== undefined || choices !== undefined)) saveWizardState(db, projectId, { step, choices });
      return wizardState(db, projectId ?? undefined);
    },
    'runs.rename': async ({ id, name }) => {
      requireRun(db, id);
      updateRun(db, id, { name: name ? name : null });
      return toSummary(getRun(db, id)!);
    },
    'runs.delete': async ({ id, keepFiles }) => deleteRunAndFiles(db, id, keepFiles),
    'runs.setThreshold': async ({ id, threshold }) => {
      const run = requireRun(db, id);
      // The model folder carries it too, so every export of the run (and a copied folder) keeps it.
      if (run.dir && existsSync(path.join(modelDirOf(run.dir), 'meta.json'))) await writeArtifactThreshold(modelDirOf(run.dir), threshold);
      updateRun(db, id, { threshold });
      return toSummary(getRun(db, id)!);
    },
    'runs.confidences': async ({ id }) => runConfidences(db, id),
    'classify.photo': async ({ runId, path: file, image, topK: k }) => {
      const input = file !== undefined ? confinePath(ctx, file, 'photo') : decodeImageData(image!);
      return classifyPhoto(db, runId, input, k);
    },
  };
}
