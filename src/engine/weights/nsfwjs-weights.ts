// SPDX-License-Identifier: MIT
// Real pretrained weights that work offline: the npm package nsfwjs bundles a Keras-trained
// MobileNetV2 (alpha 1.0, 224) in TF.js layers format. Its 104 backbone layers carry the same
// names and shapes as Keras's MobileNetV2, so they load into the zoo's MobileNetV2 (notop) by name;
// its own head (3 Dense layers, 5 classes) is left out. It was trained on pixels scaled to [0, 1].
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { PreprocessMode } from '../zoo/types';
import { bundledModel, createModel } from '../zoo/registry';
import type { ImportReport } from './apply';
import { importTfjsArtifacts, type TfjsArtifacts } from './tfjs-import';

/** The registry entry of these weights (the architecture they fit, their preprocessing). */
const nsfwjsModel = () => bundledModel('nsfwjs');

/** nsfwjs feeds RGB scaled to [0, 1], not Keras's [-1, 1]: the weights carry their own preprocessing. */
export const NSFWJS_PREPROCESS: PreprocessMode = nsfwjsModel().cfg.preprocess;

/** A source of pretrained weights other than Keras's own files. */

export interface WeightsSource {
  id: string;
  name: string;
  /** Zoo model the weights fit. */
  modelId: string;
  preprocess: PreprocessMode;
  /** SPDX id and the copyright line from the package's LICENSE. */
  licence: { spdx: string; copyright: string; file: string };
  featureLayer: string;
  version: string;
  homepage: string;
}

export interface NsfwjsBackbone {
  model: tf.LayersModel;
  source: WeightsSource;
  report: ImportReport;
}

const loadCjs = createRequire(import.meta.url);

/** The nsfwjs package folder (its exports map hides package.json, so walk up from the entry point). */
export function nsfwjsDir(): string {
  let entry: string;
  try {
    entry = loadCjs.resolve('nsfwjs');
  } catch (err) {
    throw new AppError('WEIGHTS_MISSING', 'The npm package nsfwjs is not installed; run `npm ci` in the app folder.', {}, { cause: err });
  }
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'nsfwjs') return dir;
    } catch {
      /* keep walking */
    }
  }
  throw new AppError('WEIGHTS_MISSING', `Cannot find the nsfwjs package folder above ${entry}.`, { entry });
}

/**
 * Reads the bundled MobileNetV2 (model.min.js + group1-shard1of1.min.js). The package ships them
 * as CommonJS modules (a JSON object and a base64 string), which is how nsfwjs itself loads them.
 */
export function readNsfwjsArtifacts(): TfjsArtifacts & { file: string } {
  const dir = path.join(nsfwjsDir(), 'dist/models/mobilenet_v2');
  const file = path.join(dir, 'model.min.js');
  try {
    const json = loadCjs(file) as { modelTopology: Record<string, unknown>; weightsManifest: tf.io.WeightsManifestConfig };
    const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
    const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => Buffer.from(loadCjs(path.join(dir, `${p}.min.js`)) as string, 'base64'));
    const all = Buffer.concat(shards);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
    return { modelTopology: json.modelTopology, weightSpecs, weightData, file };
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `The nsfwjs model in ${dir} cannot be read: ${(err as Error).message}. Reinstall nsfwjs.`, { file }, { cause: err });
  }
}

/** The source description (licence read from the package's LICENSE). */
export function nsfwjsSource(): WeightsSource {
  const dir = nsfwjsDir();
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; license?: string; homepage?: string };
  const licenceFile = path.join(dir, 'LICENSE');
  const text = readFileSync(licenceFile, 'utf8');
  const spdx = /^\s*MIT License/.test(text) ? 'MIT' : (pkg.license ?? 'UNKNOWN');
  const copyright = text.split('\n').find((l) => /^Copyright/i.test(l.trim()))?.trim() ?? '';
  return {
    id: 'nsfwjs',
    name: 'NSFWJS MobileNetV2 (Infinite Red)',
    modelId: nsfwjsModel().spec.id,
    preprocess: NSFWJS_PREPROCESS,
    licence: { spdx, copyright, file: licenceFile },
    featureLayer: 'out_relu',
    version: pkg.version,
    homepage: pkg.homepage ?? 'https://github.com/infinitered/nsfwjs',
  };
}

export interface NsfwjsOptions {
  /** Square input size; the weights are size-independent (trained at 224). Default 224. */
  inputSize?: number;
  pooling?: 'avg' | 'max' | null;
}

/**
 * Loads nsfwjs's backbone weights into an existing zoo MobileNetV2 (alpha 1.0, any input size, with
 * or without top) by layer name. A top of its own is reported in `missing` and keeps its values.
 * @throws AppError WEIGHTS_MISSING, FILE_CORRUPT, WEIGHTS_MISMATCH (another alpha)
 */
export function importNsfwjsWeights(model: tf.LayersModel): ImportReport {
  const a = readNsfwjsArtifacts();
  const report = importTfjsArtifacts(model, a, { file: a.file });
  if (report.loaded.length === 0) {
    throw new AppError('WEIGHTS_MISSING', `The nsfwjs weights are MobileNetV2 weights; model ${model.name} has none of its layers.`, { model: model.name });
  }
  return report;
}

/**
 * Builds the zoo's MobileNetV2 (notop) and loads nsfwjs's backbone weights into it.
 * Feed it RGB scaled to [0, 1] (preprocess 'unit').
 * @throws AppError WEIGHTS_MISSING, FILE_CORRUPT, WEIGHTS_MISMATCH
 */
export function loadNsfwjsBackbone(opts: NsfwjsOptions = {}): NsfwjsBackbone {
  const size = opts.inputSize ?? 224;
  const model = createModel(nsfwjsModel().spec, { includeTop: false, inputShape: [size, size, 3], pooling: opts.pooling ?? null });
  try {
    const report = importNsfwjsWeights(model);
    if (report.missing.length > 0) {
      throw new AppError('WEIGHTS_MISMATCH', `nsfwjs has no weights for ${report.missing.join(', ')}; the nsfwjs version does not match (expected a MobileNetV2 backbone).`, { missing: report.missing });
    }
    return { model, source: nsfwjsSource(), report };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
