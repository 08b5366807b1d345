// SPDX-License-Identifier: MIT
// Reads the Keras reference manifests (traced from Keras itself, kept in ../shared/keras beside
// the repository) and compares a built tfjs model against them. Used by tests, never at run time.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';

export interface ManifestWeight {
  name: string; // 'conv1_conv/kernel:0'
  shape: number[];
  trainable: boolean;
  keras3_name?: string;
}

export interface ManifestLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound: string[];
  output_shape: (number | null)[];
  weights: ManifestWeight[];
  auto_named?: boolean;
  keras2_legacy_name?: string;
}

export interface KerasManifest {
  name: string;
  keras_model_name: string;
  input_shape: (number | null)[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  num_layers: number;
  num_layers_with_weights: number;
  layers: ManifestLayer[];
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** `KERAS_REFERENCE_DIR` overrides; otherwise `../shared/keras` beside the repository. */
export function kerasReferenceDir(): string {
  const dir = process.env.KERAS_REFERENCE_DIR ?? path.resolve(REPO_ROOT, '../shared/keras');
  if (!existsSync(path.join(dir, 'models'))) {
    throw new Error(`Keras reference manifests not found in ${dir}. Set KERAS_REFERENCE_DIR to the folder holding models/*.json.`);
  }
  return dir;
}

const cache = new Map<string, KerasManifest>();

export function loadManifest(kerasName: string): KerasManifest {
  let m = cache.get(kerasName);
  if (!m) {
    m = JSON.parse(readFileSync(path.join(kerasReferenceDir(), 'models', `${kerasName}.json`), 'utf8')) as KerasManifest;
    cache.set(kerasName, m);
  }
  return m;
}

/** Keras and tfjs name the input layer differently ('input_layer' vs 'input_1'); everything else must match. */
const isInput = (className: string) => className === 'InputLayer';

export interface WeightFact {
  layer: string;
  name: string; // 'kernel', 'gamma', ... (the part after the slash, without ':0')
  shape: number[];
  trainable: boolean;
}

/** Weighted facts in Keras order from the manifest, optionally dropping the classifier head. */
export function manifestWeights(m: KerasManifest, opts: { uptoLayer?: string } = {}): WeightFact[] {
  const out: WeightFact[] = [];
  for (const layer of m.layers) {
    for (const w of layer.weights) {
      const short = w.name.slice(w.name.lastIndexOf('/') + 1).replace(/:0$/, '');
      out.push({ layer: layer.name, name: short, shape: w.shape, trainable: w.trainable });
    }
    if (opts.uptoLayer && layer.name === opts.uptoLayer) break;
  }
  return out;
}

/** The same facts read off a built tfjs model, in model.layers order. */
export function modelWeights(model: tf.LayersModel): WeightFact[] {
  const out: WeightFact[] = [];
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      // tfjs names a variable '<layer>/<name>' and may add a '_1' suffix when names collide.
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      out.push({ layer: layer.name, name: short, shape: [...w.shape] as number[], trainable: w.trainable });
    }
  }
  return out;
}

export interface ParamCounts {
  total: number;
  trainable: number;
  nonTrainable: number;
}

export function countParams(model: tf.LayersModel): ParamCounts {
  let trainable = 0;
  let nonTrainable = 0;
  for (const w of model.weights) {
    const n = w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
    if (w.trainable) trainable += n;
    else nonTrainable += n;
  }
  return { total: trainable + nonTrainable, trainable, nonTrainable };
}

/**
 * Differences between a tfjs model and its Keras manifest: layer names, order and classes,
 * weight names, shapes and order, and parameter counts. Empty when they match exactly.
 * `classAliases` maps a tfjs class name onto Keras's where tfjs differs (e.g. a custom layer).
 */
export function diffAgainstManifest(
  model: tf.LayersModel,
  m: KerasManifest,
  classAliases: Record<string, string> = {},
): string[] {
  const problems: string[] = [];
  const ours = model.layers.filter((l) => !isInput(l.getClassName()));
  const theirs = m.layers.filter((l) => !isInput(l.class_name));
  if (ours.length !== theirs.length) problems.push(`layer count: ours ${ours.length}, Keras ${theirs.length} (without the input layer)`);
  const n = Math.min(ours.length, theirs.length);
  for (let i = 0; i < n && problems.length < 20; i++) {
    const cls = classAliases[ours[i].getClassName()] ?? ours[i].getClassName();
    if (ours[i].name !== theirs[i].name) problems.push(`layer ${i}: ours ${ours[i].name}, Keras ${theirs[i].name}`);
    else if (cls !== theirs[i].class_name) problems.push(`layer ${theirs[i].name}: class ours ${cls}, Keras ${theirs[i].class_name}`);
  }
  const ow = modelWeights(model);
  const tw = manifestWeights(m);
  if (ow.length !== tw.length) problems.push(`weight count: ours ${ow.length}, Keras ${tw.length}`);
  for (let i = 0; i < Math.min(ow.length, tw.length) && problems.length < 40; i++) {
    const a = ow[i];
    const b = tw[i];
    if (a.layer !== b.layer || a.name !== b.name || a.shape.join('x') !== b.shape.join('x') || a.trainable !== b.trainable) {
      problems.push(
        `weight ${i}: ours ${a.layer}/${a.name} [${a.shape}] trainable=${a.trainable}, Keras ${b.layer}/${b.name} [${b.shape}] trainable=${b.trainable}`,
      );
    }
  }
  const c = countParams(model);
  if (c.total !== m.total_params) problems.push(`total params: ours ${c.total}, Keras ${m.total_params}`);
  if (c.trainable !== m.trainable_params) problems.push(`trainable params: ours ${c.trainable}, Keras ${m.trainable_params}`);
  if (c.nonTrainable !== m.non_trainable_params) problems.push(`non-trainable params: ours ${c.nonTrainable}, Keras ${m.non_trainable_params}`);
  return problems;
}
