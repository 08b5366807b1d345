// SPDX-License-Identifier: MIT
// Turns what the user typed after --model into a model the classifier can run: a trained model
// folder (meta.json with labels), an exported folder (model.json + labels), or a zoo model with
// the ImageNet labels and Keras's own weights from the Keras cache.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { loadModelArtifact, readArtifactMeta } from '../artifacts/model-artifact';
import { loadModelFromDir } from '../artifacts/model-io';
import { kerasCacheDir, kerasWeightFile } from '../weights/cache';
import { importH5Weights } from '../weights/h5-import';
import { imagenetClasses } from '../zoo/decode-predictions';
import { PREPROCESS_MODES } from '../zoo/preprocess';
import { requireWeights } from '../weights/availability';
import { createModel, getModelSpec, resolveModelId } from '../zoo/registry';
import type { PreprocessMode } from '../zoo/types';
import type { ResolvedModel } from './types';

/** What a MODEL argument names, before any file is read. */
export type ModelRef = { kind: 'run'; runId: number } | { kind: 'dir'; dir: string; runId?: number } | { kind: 'zoo'; id: string };

/** A run id (digits), an existing folder, or else a zoo model name. */
export function parseModelArg(arg: string, cwd = process.cwd()): ModelRef {
  const trimmed = arg.trim();
  if (/^\d+$/.test(trimmed)) return { kind: 'run', runId: Number(trimmed) };
  const abs = path.resolve(cwd, trimmed);
  if (existsSync(abs) || /[\\/]/.test(trimmed)) return { kind: 'dir', dir: abs };
  return { kind: 'zoo', id: trimmed };
}

async function hashFiles(files: readonly string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of files) {
    await new Promise<void>((resolve, reject) => {
      createReadStream(f)
        .on('data', (c) => h.update(c))
        .on('error', reject)
        .on('end', () => resolve());
    });
  }
  return h.digest('hex');
}

/** Label files an exported model folder may carry, in the order they are tried. */
async function readLabels(dir: string): Promise<string[] | null> {
  for (const name of ['labels.json', 'classes.json']) {
    const f = path.join(dir, name);
    if (!existsSync(f)) continue;
    const raw = JSON.parse(await fs.readFile(f, 'utf8')) as unknown;
    const list = Array.isArray(raw) ? raw : (raw as { labels?: unknown }).labels;
    if (Array.isArray(list) && list.every((x) => typeof x === 'string')) return list as string[];
  }
  const txt = path.join(dir, 'labels.txt');
  if (existsSync(txt)) return (await fs.readFile(txt, 'utf8')).split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  return null;
}

async function resolveExportedDir(dir: string): Promise<ResolvedModel> {
  const labels = await readLabels(dir);
  if (!labels) {
    throw new AppError('NOT_FOUND', `${dir} has a model.json but no labels (meta.json, labels.json or labels.txt). Export the model again from Transfer Studio or add labels.txt with one class per line.`, { dir });
  }
  let preprocess: PreprocessMode = 'none';
  let inputSize: number | undefined;
  const pre = path.join(dir, 'preprocessing.json');
  if (existsSync(pre)) {
    const p = JSON.parse(await fs.readFile(pre, 'utf8')) as { mode?: string; inputSize?: number; size?: number };
    if (p.mode && PREPROCESS_MODES.includes(p.mode as PreprocessMode)) preprocess = p.mode as PreprocessMode;
    inputSize = p.inputSize ?? p.size;
  }
  const topology = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as { modelTopology?: { config?: { layers?: { config?: { batch_input_shape?: number[]; batchInputShape?: number[] } }[] } } };
  const shape = topology.modelTopology?.config?.layers?.[0]?.config;
  inputSize ??= (shape?.batch_input_shape ?? shape?.batchInputShape)?.[1];
  if (!Number.isInteger(inputSize)) {
    throw new AppError('FILE_CORRUPT', `Cannot tell the input size of the model in ${dir}: model.json has no input shape and preprocessing.json no inputSize.`, { dir });
  }
  const key = await hashFiles([path.join(dir, 'model.json'), path.join(dir, 'weights.bin')].filter(existsSync));
  return { source: `artifact:${dir}`, modelKey: `sha256:${key}`, dir, labels, inputSize: inputSize as number, preprocess, runId: null, load: () => loadModelFromDir(dir) };
}

/**
 * Resolves a model folder: a Transfer Studio model (meta.json), a run folder holding one under
 * `model/`, or an exported TF.js folder with labels.
 * @throws AppError NOT_FOUND, FILE_CORRUPT
 */
export async function resolveModelDir(dirIn: string, runId?: number): Promise<ResolvedModel> {
  let dir = path.resolve(dirIn);
  if (!existsSync(path.join(dir, 'model.json')) && existsSync(path.join(dir, 'model', 'model.json'))) dir = path.join(dir, 'model');
  if (!existsSync(path.join(dir, 'model.json'))) {
    throw new AppError('NOT_FOUND', `No model found at ${dirIn}: expected a folder with model.json (a trained model or an export), a run id, or a zoo model name such as mobilenetv2.`, { received: dirIn });
  }
  if (!existsSync(path.join(dir, 'meta.json'))) return resolveExportedDir(dir);
  const meta = await readArtifactMeta(dir);
  const key = await hashFiles([path.join(dir, 'model.json'), path.join(dir, 'weights.bin')]);
  return {
    source: (runId ?? meta.runId) !== undefined ? `run:${runId ?? meta.runId}` : `artifact:${dir}`,
    modelKey: `sha256:${key}`,
    dir,
    labels: meta.labels,
    inputSize: meta.inputSize,
    preprocess: meta.preprocess,
    runId: runId ?? meta.runId ?? null,
    load: async () => (await loadModelArtifact(dir)).model,
  };
}

/**
 * A zoo model with its ImageNet head: the 1000 Keras labels and the `top` weights from the Keras
 * cache (never downloaded here).
 * @throws AppError MODEL_UNKNOWN, UNSUPPORTED (no ImageNet weights), WEIGHTS_MISSING naming the file and URL
 */
export async function resolveZooModel(id: string, cacheDir = kerasCacheDir()): Promise<ResolvedModel> {
  const spec = getModelSpec(id);
  if (spec.kind !== 'keras') {
    throw new AppError('UNSUPPORTED', `${spec.name} has no ImageNet weights to classify with. Train it first and pass the run id, or use a Keras model such as mobilenetv2.`, { received: id });
  }
  const wf = kerasWeightFile(spec.name, 'top');
  const { file, bytes } = requireWeights(resolveModelId(spec.id, 'imagenet'), { cacheDir, variant: 'top' }) as { file: string; bytes: number };
  const labels = imagenetClasses().map(([, label]) => label);
  const size = spec.defaultInputSize;
  return {
    source: `zoo:${spec.id}`,
    modelKey: `zoo:${spec.id}:${wf.file_hash ?? `${wf.file_name}:${bytes}`}`,
    dir: null,
    labels,
    inputSize: size,
    preprocess: spec.preprocess,
    runId: null,
    load: async () => {
      const model = createModel(spec, { includeTop: true, inputShape: [size, size, 3] });
      await importH5Weights(model, file, { kerasName: spec.name });
      return model;
    },
  };
}

/** Resolves any ModelRef except a run id (the service looks runs up in the database first). */
export async function resolveModel(ref: ModelRef, opts: { kerasCacheDir?: string } = {}): Promise<ResolvedModel> {
  if (ref.kind === 'zoo') return resolveZooModel(ref.id, opts.kerasCacheDir);
  if (ref.kind === 'dir') return resolveModelDir(ref.dir, ref.runId);
  throw new AppError('INVALID_ARGUMENT', `Run ${ref.runId} must be looked up first: pass its model folder (<run dir>/model).`, { runId: ref.runId });
}
