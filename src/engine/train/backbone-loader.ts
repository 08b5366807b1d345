// SPDX-License-Identifier: MIT
// The default backbone: a zoo model without its top, with the weights the config names: none
// (seeded random), 'nsfwjs' (the MobileNetV2 bundled with the app), 'imagenet' (Keras's notop
// file from the Keras cache) or a path to a .h5 / .keras file.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { kerasCacheDir, kerasWeightFile } from '../weights/cache';
import { importH5Weights } from '../weights/h5-import';
import { importKerasArchive } from '../weights/keras-archive';
import { importNsfwjsWeights, NSFWJS_PREPROCESS } from '../weights/nsfwjs-weights';
import { preprocessInput } from '../zoo/preprocess';
import { getModelSpec } from '../zoo/registry';
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

async function loadWeights(model: tf.LayersModel, weights: string, kerasName: string, opts: ZooLoaderOptions): Promise<void> {
  if (weights === 'imagenet') {
    const f = kerasWeightFile(kerasName, 'notop');
    const file = path.join(kerasCacheDir({ cacheDir: opts.cacheDir }), f.file_name);
    if (!existsSync(file)) {
      throw new AppError('WEIGHTS_MISSING', `The ImageNet weights of ${kerasName} are not in the Keras cache (${file}). Download them first (transfer-studio weights download ${kerasName}) or use --weights none.`, { file, url: f.url });
    }
    await importH5Weights(model, file);
    return;
  }
  if (!existsSync(weights)) {
    throw new AppError('NOT_FOUND', `weights must be 'imagenet', 'nsfwjs', 'none' or an existing .h5 / .keras file. Received: ${JSON.stringify(weights)}.`, { received: weights });
  }
  if (weights.endsWith('.keras')) await importKerasArchive(model, weights);
  else await importH5Weights(model, weights);
}

/** Names the weights for cache keys and run records (the feature cache also hashes the weights themselves). */
function weightsIdOf(weights: string | null, kerasName: string, seed: number | undefined): string {
  if (weights === null) return `random:${seed ?? DEFAULT_SEED}`;
  if (weights === 'nsfwjs') return `nsfwjs@${nsfwjsVersion()}`;
  if (weights === 'imagenet') return `imagenet:${kerasWeightFile(kerasName, 'notop').file_name}`;
  return `file:${path.resolve(weights)}`;
}

/**
 * Builds `config.backbone` from the zoo without its top at `config.imageSize` and loads
 * `config.weights`. The returned `preprocess` is the one those weights expect.
 * @throws AppError MODEL_UNKNOWN, WEIGHTS_MISSING, WEIGHTS_MISMATCH, INVALID_ARGUMENT
 */
export function zooBackboneLoader(opts: ZooLoaderOptions = {}) {
  return async (config: TrainConfig): Promise<Backbone> => {
    const spec = getModelSpec(config.backbone);
    const size = config.imageSize ?? spec.defaultInputSize;
    const model = spec.build({ includeTop: false, inputShape: [size, size, 3], pooling: null });
    const weights = config.weights && config.weights !== 'none' ? config.weights : null;
    let mode: PreprocessMode = spec.preprocess;
    try {
      if (weights === 'nsfwjs') {
        if (spec.id !== 'mobilenetv2') {
          throw new AppError('INVALID_ARGUMENT', `The bundled nsfwjs weights fit only MobileNetV2. Received backbone: ${JSON.stringify(config.backbone)}. Use --weights imagenet or none for it.`, { received: config.backbone });
        }
        importNsfwjsWeights(model);
        mode = NSFWJS_PREPROCESS;
      } else if (weights) {
        await loadWeights(model, weights, spec.name, opts);
      } else {
        reseedWeights(model, config.seed ?? DEFAULT_SEED);
      }
    } catch (err) {
      model.dispose();
      throw err;
    }
    return { model, blockOf: (n) => spec.blockOf(n), pretrained: weights !== null, preprocess: (x) => preprocessInput(x, mode), preprocessMode: mode, weightsId: weightsIdOf(weights, spec.name, config.seed) };
  };
}
