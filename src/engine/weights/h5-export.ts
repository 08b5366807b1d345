// SPDX-License-Identifier: MIT
// Writes a tfjs model's weights in Keras's own layouts so Keras can load them:
// - legacy `.h5`, weights only or full model (legacy_h5_format.save_weights_to_hdf5_group /
//   save_model_to_hdf5): root (or `model_weights`) attrs layer_names, backend, keras_version; one
//   group per layer (sorted by name) with attr weight_names and datasets at those paths;
//   an empty `top_level_model_weights` group.
// - Keras 3 `model.weights.h5` (saving_lib): `vars` for the model, `layers/<snake_case(class)>[_k]/vars`
//   with attr name and datasets 0..n-1 in variable order; and `.keras` zips around it.
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { shortWeightName } from './apply';
import { h5Ready, writeBytesAttr, writeStringListAttr, type H5Group } from './h5-file';
import { keras3LayerPaths } from './h5-import';

/** Keras version we claim in files (the Keras line whose layout we write). */
export const EXPORT_KERAS_VERSION = '3.15.1';
/** Keras reads `backend` only for messages; the weights are plain arrays. */
export const EXPORT_BACKEND = 'tensorflow';

export interface H5ExportOptions {
  /** 'keras3': `conv1/kernel` (Keras 3's variable path); 'keras2': `conv1/kernel:0` with depthwise_kernel, as tf.keras 2 wrote. */
  weightNames?: 'keras3' | 'keras2';
  kerasVersion?: string;
  backend?: string;
}

async function values(v: tf.LayerVariable): Promise<Float32Array> {
  const t = v.read();
  const d = await t.data();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/** The weight path Keras writes for a variable of a layer. */
export function kerasWeightPath(layer: tf.layers.Layer, v: tf.LayerVariable, style: 'keras3' | 'keras2' = 'keras3'): string {
  let short = shortWeightName(v.originalName);
  if (style === 'keras3' && short === 'depthwise_kernel' && layer.getClassName() === 'DepthwiseConv2D') short = 'kernel';
  return `${layer.name}/${short}${style === 'keras2' ? ':0' : ''}`;
}

/** Creates `a/b/c` one level at a time (h5wasm does not create intermediate groups). */
function ensureGroup(root: H5Group, p: string): H5Group {
  let g = root;
  for (const part of p.split('/')) {
    const existing = g.keys().includes(part) ? g.get(part) : null;
    g = (existing as H5Group | null) ?? g.create_group(part);
  }
  return g;
}

function writeDataset(root: H5Group, p: string, shape: number[], data: Float32Array): void {
  const parts = p.split('/');
  const leaf = parts.pop() as string;
  const g = parts.length ? ensureGroup(root, parts.join('/')) : root;
  g.create_dataset({ name: leaf, data, shape });
}

/** A layer's weights ready to write: Keras weight paths, shapes and values. */
export interface LayerDump {
  name: string;
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

/** Reads every layer of a model into LayerDumps (in model.layers order). */
export async function dumpLayers(model: tf.LayersModel, style: 'keras3' | 'keras2' = 'keras3'): Promise<LayerDump[]> {
  const out: LayerDump[] = [];
  for (const layer of model.layers) {
    const weights = [];
    for (const v of layer.weights) weights.push({ name: kerasWeightPath(layer, v, style), shape: v.shape as number[], values: await values(v) });
    out.push({ name: layer.name, weights });
  }
  return out;
}

/**
 * Writes legacy layer groups: attrs layer_names (all layers, in order), backend, keras_version;
 * then each layer's group in name order, as save_weights_to_hdf5_group does.
 */
export function writeLegacyLayers(group: H5Group, layers: LayerDump[], opts: H5ExportOptions = {}): void {
  writeStringListAttr(group, 'layer_names', layers.map((l) => l.name));
  writeBytesAttr(group, 'backend', opts.backend ?? EXPORT_BACKEND);
  writeBytesAttr(group, 'keras_version', opts.kerasVersion ?? EXPORT_KERAS_VERSION);
  const sorted = [...layers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const layer of sorted) {
    const g = ensureGroup(group, layer.name);
    writeStringListAttr(g, 'weight_names', layer.weights.map((w) => w.name));
    for (const w of layer.weights) writeDataset(g, w.name, w.shape, w.values);
  }
  writeStringListAttr(group.create_group('top_level_model_weights'), 'weight_names', []);
}

async function writeLegacyGroup(group: H5Group, model: tf.LayersModel, opts: H5ExportOptions): Promise<void> {
  writeLegacyLayers(group, await dumpLayers(model, opts.weightNames), opts);
}

/** Writes a legacy weights-only `.h5` from LayerDumps (tests build them from the Keras manifests). */
export async function writeLegacyWeightsFromDumps(file: string, layers: LayerDump[], opts: H5ExportOptions = {}): Promise<void> {
  await withH5(file, async (root) => writeLegacyLayers(root, layers, opts));
}

async function withH5(file: string, fill: (root: H5Group) => Promise<void>): Promise<void> {
  const h5 = await h5Ready();
  let f;
  try {
    f = new h5.File(file, 'w');
  } catch (err) {
    throw new AppError('READ_ONLY', `Cannot create ${file}. Check that its folder exists and is writable.`, { file }, { cause: err });
  }
  try {
    await fill(f);
  } finally {
    f.close();
  }
}

/** Keras-style `model_config`: {class_name, config} as tfjs-layers serialises it (Keras 2 schema). */
export function legacyModelConfig(model: tf.LayersModel): string {
  const j = model.toJSON(undefined, false) as unknown as { class_name: string; config: unknown };
  return JSON.stringify({ class_name: j.class_name, config: j.config });
}

/** Writes weights as `model.save_weights('x.h5')` in legacy format (root attrs layer_names...). */
export async function writeLegacyWeightsH5(model: tf.LayersModel, file: string, opts: H5ExportOptions = {}): Promise<void> {
  await withH5(file, (root) => writeLegacyGroup(root, model, opts));
}

/** Writes a legacy full-model `.h5` (model_config + model_weights), as keras `model.save('x.h5')`. */
export async function writeLegacyModelH5(model: tf.LayersModel, file: string, opts: H5ExportOptions = {}): Promise<void> {
  await withH5(file, async (root) => {
    // Strings go in as variable length: model_config outgrows the 64 KiB header limit of fixed ones.
    root.create_attribute('keras_version', opts.kerasVersion ?? EXPORT_KERAS_VERSION);
    root.create_attribute('backend', opts.backend ?? EXPORT_BACKEND);
    root.create_attribute('model_config', legacyModelConfig(model));
    await writeLegacyGroup(root.create_group('model_weights'), model, opts);
  });
}

async function writeKeras3Layers(root: H5Group, layers: tf.layers.Layer[], prefix: string): Promise<void> {
  const paths = keras3LayerPaths(layers, prefix);
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const vars = ensureGroup(root, `${paths[i]}/vars`);
    vars.create_attribute('name', layer.name);
    const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (nested) {
      await writeKeras3Layers(root, nested, `${paths[i]}/layers`);
      continue;
    }
    for (let k = 0; k < layer.weights.length; k++) {
      const v = layer.weights[k];
      vars.create_dataset({ name: String(k), data: await values(v), shape: v.shape as number[] });
    }
  }
}

/** Writes Keras 3's `model.weights.h5` layout (also what `model.save_weights('x.weights.h5')` makes). */
export async function writeKeras3WeightsH5(model: tf.LayersModel, file: string): Promise<void> {
  await withH5(file, async (root) => {
    root.create_group('vars').create_attribute('name', model.name);
    await writeKeras3Layers(root, model.layers, 'layers');
  });
}

/** Keras 3 `config.json` for a functional model, built from the tfjs (Keras 2 schema) config. */
export function keras3Config(model: tf.LayersModel): Record<string, unknown> {
  const j = model.toJSON(undefined, false) as unknown as { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } & Record<string, unknown> };
  const layers = j.config.layers.map((l) => ({ module: 'keras.layers', ...l, registered_name: null }));
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { ...j.config, layers },
    registered_name: 'Functional',
    build_config: { input_shape: null },
    compile_config: {},
  };
}

/**
 * Writes a `.keras` archive: metadata.json, config.json and model.weights.h5, as saving_lib does.
 * The weights follow Keras 3 exactly; config.json is Keras 2 schema per layer (what tfjs knows).
 */
export async function writeKerasArchive(model: tf.LayersModel, file: string, opts: H5ExportOptions = {}): Promise<void> {
  const { zipSync, strToU8 } = await import('fflate');
  const tmp = path.join(os.tmpdir(), `ts-weights-${randomUUID()}.h5`);
  try {
    await writeKeras3WeightsH5(model, tmp);
    const now = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    const dateSaved = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}@${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
    const zip = zipSync({
      'metadata.json': strToU8(JSON.stringify({ keras_version: opts.kerasVersion ?? EXPORT_KERAS_VERSION, date_saved: dateSaved })),
      'config.json': strToU8(JSON.stringify(keras3Config(model))),
      'model.weights.h5': new Uint8Array(await readFile(tmp)),
    }, { level: 0 }); // Python's ZipFile default: stored, not deflated
    await writeFile(file, zip);
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new AppError('DISK_FULL', `The disk is full while writing ${file}.`, { file }, { cause: err });
    throw new AppError('READ_ONLY', `Cannot write ${file}: ${(err as Error).message}`, { file }, { cause: err });
  } finally {
    await rm(tmp, { force: true });
  }
}
