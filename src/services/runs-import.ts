// SPDX-License-Identifier: MIT
// runs.import: brings a training package's result (output/ of train.py: trained.keras or
// trained.weights.h5 plus its manifest.json) back as a run. The weights go into the original run's
// architecture, the model is scored on that run's test split (else validation), and the new run is
// listed beside the original with the package's epochs, strategy and versions in its record.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { loadModelArtifact, saveModelArtifact } from '../engine/artifacts/model-artifact';
import { initBackend } from '../engine/backend/backend';
import { evaluateModel } from '../engine/eval/evaluate';
import { folderSource } from '../engine/runs/folder-data';
import { importWeightsFile } from '../engine/weights/index';
import { preprocessInput } from '../engine/zoo/preprocess';
import { sha256File } from '../platform/hash';
import { runsDir } from '../platform/paths';
import { AppError } from '../shared/errors';
import type { Handlers } from '../shared/ipc/contract';
import type { runsImportMethods } from '../shared/ipc/methods/runs-import';
import { createRun, getRun, recordEpoch, updateRun } from '../store/repos/runs';
import type { ServiceContext } from './context';
import { confinePath } from './paths';
import { readJob, writeJob } from '../engine/train/plan';
import { modelDirOf } from './train-runner';

/** What train.py writes next to trained.keras (resources/package/train.py, RESULT_FORMAT). */
export const PACKAGE_RESULT_FORMAT = 'transfer-studio.package-result';

interface PackageResult {
  format: string;
  runId: number | null;
  labels: string[];
  inputSize: number;
  strategy?: string;
  replicas?: number;
  workers?: number;
  tensorflow?: string;
  keras?: string;
  epochs?: { phase1: number; phase2: number };
  history?: { phase: number; epoch: number; loss?: number; accuracy?: number; val_loss?: number; val_accuracy?: number; seconds?: number }[];
  files?: Record<string, string>;
}

/** DIR is train.py's --out folder, or the package folder holding output/. */
async function readResult(dir: string): Promise<{ dir: string; result: PackageResult }> {
  const candidates = [dir, path.join(dir, 'output')];
  for (const d of candidates) {
    const file = path.join(d, 'manifest.json');
    if (!existsSync(file)) continue;
    let parsed: PackageResult;
    try {
      parsed = JSON.parse(await fs.readFile(file, 'utf8')) as PackageResult;
    } catch (err) {
      throw new AppError('FILE_CORRUPT', `${file} is not valid JSON (${(err as Error).message}). Re-run train.py to write it again.`, { file }, { cause: err });
    }
    if (parsed.format !== PACKAGE_RESULT_FORMAT) {
      if (d === dir && existsSync(path.join(dir, 'output', 'manifest.json'))) continue;
      throw new AppError('INVALID_ARGUMENT', `${file} is not a training package result (format ${JSON.stringify(parsed.format)}, expected ${PACKAGE_RESULT_FORMAT}). Pass the folder train.py wrote (its --out, default output/).`, { file });
    }
    if (!Array.isArray(parsed.labels) || !parsed.labels.length) throw new AppError('FILE_CORRUPT', `${file} lists no labels. Re-run train.py to write it again.`, { file });
    return { dir: d, result: parsed };
  }
  throw new AppError('NOT_FOUND', `${dir} holds no manifest.json from train.py. Pass the folder train.py wrote (its --out, default output/ inside the package).`, { dir });
}

/** trained.keras first (the whole model), else trained.weights.h5; each checked against the manifest's hash. */
async function weightsFile(dir: string, result: PackageResult): Promise<string> {
  for (const name of ['trained.keras', 'trained.weights.h5']) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const expected = result.files?.[name];
    if (expected && (await sha256File(file)) !== expected) {
      throw new AppError('FILE_CORRUPT', `${file} does not match the sha256 in ${path.join(dir, 'manifest.json')}: it was changed or cut short after train.py wrote it. Copy it again or re-run train.py.`, { file, expected });
    }
    return file;
  }
  throw new AppError('NOT_FOUND', `${dir} has neither trained.keras nor trained.weights.h5. Did train.py finish? It writes them at the end.`, { dir });
}

export function runsImportHandlers(ctx: ServiceContext): Handlers<typeof runsImportMethods> {
  const { db } = ctx;
  return {
    'runs.import': async ({ dir: input }) => {
      const { dir, result } = await readResult(confinePath(ctx, input, 'package output folder'));
      if (typeof result.runId !== 'number') throw new AppError('INVALID_ARGUMENT', `${path.join(dir, 'manifest.json')} names no run (runId): it came from a package exported from a model folder, and a run is needed for its test split. Export the package from a run.`);
      const source = getRun(db, result.runId);
      if (!source?.dir || !existsSync(path.join(modelDirOf(source.dir), 'meta.json'))) {
        throw new AppError('NOT_FOUND', `The package was exported from run ${result.runId}, which this database ${source ? 'holds without a trained model' : 'does not hold'}. Import it where that run lives.`, { runId: result.runId });
      }
      const file = await weightsFile(dir, result);
      const job = await readJob(source.dir);
      await initBackend('auto');
      const { model, meta } = await loadModelArtifact(modelDirOf(source.dir));
      try {
        if (JSON.stringify(meta.labels) !== JSON.stringify(result.labels) || meta.inputSize !== result.inputSize) {
          throw new AppError('WEIGHTS_MISMATCH', `${file} was trained for ${result.labels.length} classes at ${result.inputSize} px (${result.labels.join(', ')}); run ${source.id} has ${meta.labels.length} at ${meta.inputSize} px (${meta.labels.join(', ')}).`, { file });
        }
        const report = await importWeightsFile(model, file);
        if (report.missing.length || report.skipped.length) {
          throw new AppError('WEIGHTS_MISMATCH', `${file} does not fit run ${source.id}'s model: nothing for layer ${report.missing[0] ?? report.skipped[0]?.layer}.`, { file, missing: report.missing });
        }
        const items = job.data.test.length ? job.data.test : job.data.validation;
        if (!items.length) throw new AppError('INVALID_ARGUMENT', `Run ${source.id} kept no test or validation images to evaluate the imported model on.`);
        const split = job.data.test.length ? 'test' : 'validation';
        const evaluation = await evaluateModel(model, folderSource({ ...job.data, augment: null }, items, false), {
          imageSize: meta.inputSize,
          numClasses: meta.labels.length,
          classNames: meta.labels,
          preprocess: (x) => preprocessInput(x, meta.preprocess),
        });
        const record = { ...evaluation, split, ...(source.datasetId ? { datasetId: source.datasetId } : {}) };
        const pkg = { dir, file: path.basename(file), strategy: result.strategy, replicas: result.replicas, workers: result.workers, tensorflow: result.tensorflow, keras: result.keras, epochs: result.epochs };
        const run = createRun(db, { projectId: source.projectId, datasetId: source.datasetId, backbone: source.backbone, weights: source.weights, config: { ...source.config, sourceRunId: source.id, package: pkg } });
        const runDir = path.join(runsDir(), String(run.id));
        try {
          await writeJob(runDir, job);
          await saveModelArtifact(model, modelDirOf(runDir), { labels: meta.labels, inputSize: meta.inputSize, preprocess: meta.preprocess, backbone: meta.backbone, weights: meta.weights, runId: run.id });
        } catch (err) {
          updateRun(db, run.id, { dir: runDir, status: 'failed', error: (err as Error).message });
          throw err;
        }
        for (const h of result.history ?? []) {
          recordEpoch(db, run.id, { phase: h.phase, epoch: h.epoch, loss: h.loss ?? null, acc: h.accuracy ?? null, valLoss: h.val_loss ?? null, valAcc: h.val_accuracy ?? null, lr: null, seconds: h.seconds ?? null, imagesPerSec: null });
        }
        const notes = [
          `imported from ${file} (train.py: ${result.strategy ?? '?'}, ${result.workers ?? 1} worker(s), ${result.replicas ?? 1} replica(s), TensorFlow ${result.tensorflow ?? '?'}, Keras ${result.keras ?? '?'})`,
          `continues run ${source.id}; evaluated on its ${split} split (${evaluation.n} images)`,
        ];
        updateRun(db, run.id, { dir: runDir, status: 'completed', backend: 'tensorflow (training package)', engineNotes: notes.join('\n'), evaluation: record });
        return { runId: run.id, sourceRunId: source.id, file, split, evaluation: record };
      } finally {
        model.dispose();
      }
    },
  };
}
