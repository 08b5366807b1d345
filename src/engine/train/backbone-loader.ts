// SPDX-License-Identifier: MIT
// The default backbone: a zoo model without its top, with the weights the config names: a
// registry tag ('none' is seeded random; bundled and ImageNet weights as the registry entry says
// where they live) or a path to a user's .h5 / .keras / model.json file.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { requireComplete, requireWeights } from '../weights/availability';
import { importH5Weights } from '../weights/h5-import';
import { importWeightsFile } from '../weights/index';
import { importNsfwjsWeights } from '../weights/nsfwjs-weights';
import { preprocessInput } from '../zoo/preprocess';
import { createModel, isWeightsTag, pretrainedCfgs, resolveModelId, type ResolvedModelId } from '../zoo/registry';
import type { PreprocessMode } from '../zoo/types';
import { reseedWeights } from './init';
import type { Backbone, TrainConfig } from './types';

/** nsfwjs hides package.json behind its exports map, so it is read next to the resolved entry's dist folder. */
function nsfwjsVersion(): string {
  try {
    const main = createRequire(import.meta.url).resolve('nsfwjs');
    const pkg = path.join(main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`)), 'package.json');
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export const DEFAULT_SEED = 42;

export interface ZooLoaderOptions {
  /** Keras cache folder override (the app setting); default $KERAS_HOME/models or ~/.keras/models. */
  cacheDir?: string;
}

/** Loads a registry tag's weights, or a user's own file, into `model`. */
async function loadWeights(model: tf.LayersModel, m: ResolvedModelId, file: string | null, opts: ZooLoaderOptions): Promise<void> {
  if (file) {
    if (!existsSync(file)) {
      throw new AppError('NOT_FOUND', `weights must be ${pretrainedCfgs(m.spec).map((c) => `'${c.weights}'`).join(', ')} or an existing .h5 / .keras / model.json file. Received: ${JSON.stringify(file)}.`, { received: file });
    }
    requireComplete(await importWeightsFile(model, file, { kerasName: m.spec.name }), file, `${m.spec.name} without its top`);
    return;
  }
  const src = m.cfg.source;
  if (src.kind === 'bundled') {
    importNsfwjsWeights(model);
    return;
  }
  if (src.kind === 'download') {
    const s = requireWeights(m, { cacheDir: opts.cacheDir });
    await importH5Weights(model, s.file!);
  }
}

/** Names the weights for cache keys and run records (the feature cache also hashes the weights themselves). */
function weightsIdOf(m: ResolvedModelId, file: string | null, seed: number | undefined): string {
  if (file) return `file:${path.resolve(file)}`;
  const src = m.cfg.source;
  if (src.kind === 'bundled') return `${m.cfg.tag}@${nsfwjsVersion()}`;
  if (src.kind === 'download') return `${m.cfg.tag}:${src.fileName}`;
  return `random:${seed ?? DEFAULT_SEED}`;
}

/**
 * Builds `config.backbone` from the zoo without its top at `config.imageSize` and loads
 * `config.weights`. The returned `preprocess` is the one those weights expect.
 * @throws AppError MODEL_UNKNOWN, WEIGHTS_MISSING, WEIGHTS_MISMATCH, INVALID_ARGUMENT
 */
export function zooBackboneLoader(opts: ZooLoaderOptions = {}) {
  return async (config: TrainConfig): Promise<Backbone> => {
    const file = config.weights && !isWeightsTag(config.weights) ? config.weights : null;
    const m = resolveModelId(config.backbone, file ? 'none' : (config.weights ?? 'none'));
    const { spec } = m;
    const size = config.imageSize ?? spec.defaultInputSize;
    const model = createModel(spec, { includeTop: false, inputShape: [size, size, 3], pooling: null });
    const pretrained = file !== null || m.cfg.source.kind !== 'none';
    const mode: PreprocessMode = file ? spec.preprocess : m.cfg.preprocess;
    try {
      if (pretrained) await loadWeights(model, m, file, opts);
      else reseedWeights(model, config.seed ?? DEFAULT_SEED);
    } catch (err) {
      model.dispose();
      throw err;
    }
    const weightsId = weightsIdOf(m, file, config.seed);
    return { model, blockOf: (n) => spec.blockOf(n), pretrained, preprocess: (x) => preprocessInput(x, mode), preprocessMode: mode, weightsId };
  };
}
