// SPDX-License-Identifier: MIT
// TF.js layers format as tfjs-converter writes it: model.json plus 4 MB weight shards
// (group1-shardXofN.bin), loadable by tf.loadLayersModel over HTTP in a browser and, with a file
// reader such as loadTfjsExport, in Node. Layers the zoo registers under Keras names are written
// as tfjs's own layers where the saved config means the same thing.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { Bundle } from './bundle';
import { stableJson, text } from './bundle';
import { TFJS_LAYERS_FILE, TFJS_LAYERS_SCRIPT } from './tfjs-layers-script';

/** tfjs-converter's default shard size. */
export const SHARD_BYTES = 4 * 1024 * 1024;

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

/**
 * Classes a stock @tensorflow/tfjs cannot deserialise: the page or program loading the export must
 * register the app's layer classes (src/engine/zoo/layers, zoo/classic-kit) first.
 */
export function customLayerClasses(layers: LayerJson[]): string[] {
  const out = new Set<string>();
  for (const l of layers) {
    const c = l.config;
    if (l.class_name === 'Normalization' || l.class_name === 'CustomScaleLayer' || l.class_name === 'AdaptiveAveragePooling2D') out.add(l.class_name);
    if (l.class_name === 'Rescaling' && (Array.isArray(c.scale) || Array.isArray(c.offset))) out.add('Rescaling (per-channel)');
    if (l.class_name === 'GlobalAveragePooling2D' && c.keepdims === true) out.add('GlobalAveragePooling2D (keepdims)');
  }
  return [...out].sort();
}

/** Rewrites zoo layers that have an exact tfjs equivalent into that equivalent's config. */
function standardise(layers: LayerJson[]): void {
  for (const l of layers) {
    if (l.class_name === 'GlobalAveragePooling2D' && l.config.keepdims === false) delete l.config.keepdims;
    if (l.class_name === 'Rescaling' && typeof l.config.scale === 'number' && typeof l.config.offset === 'number') {
      l.config = { name: l.config.name, trainable: l.config.trainable, scale: l.config.scale, offset: l.config.offset };
    }
  }
}

/**
 * Adds model.json and its shards to `bundle` under `prefix` (e.g. '' or 'tfjs/').
 * Returns the class names that need the app's layer code (see customLayerClasses); when there
 * are any, transfer-studio-layers.js (loaded after tf.min.js) defines them for a web page.
 */
export async function addTfjsFiles(model: tf.LayersModel, bundle: Bundle, prefix = ''): Promise<string[]> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  if (!artifacts?.modelTopology) throw new AppError('INTERNAL', `TF.js did not serialise model ${model.name}.`);
  const topology = JSON.parse(JSON.stringify(artifacts.modelTopology)) as { config: { layers: LayerJson[] } };
  standardise(topology.config.layers);
  const data = artifacts.weightData ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : new Uint8Array(0);
  const count = Math.max(1, Math.ceil(data.byteLength / SHARD_BYTES));
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `group1-shard${i + 1}of${count}.bin`;
    paths.push(name);
    bundle.set(prefix + name, data.slice(i * SHARD_BYTES, Math.min(data.byteLength, (i + 1) * SHARD_BYTES)));
  }
  const json = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: 'Transfer Studio',
    modelTopology: topology,
    weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
  };
  bundle.set(`${prefix}model.json`, new TextEncoder().encode(stableJson(json, 0)));
  const custom = customLayerClasses(topology.config.layers);
  // A page with stock tfjs cannot build these classes: ship them beside the model.
  if (custom.length) bundle.set(prefix + TFJS_LAYERS_FILE, text(TFJS_LAYERS_SCRIPT));
  return custom;
}

/**
 * Loads an exported TF.js folder in Node (what tf.loadLayersModel('file://...') would do with
 * tfjs-node). The app's custom layer classes must be registered (importing the zoo does that).
 * @throws AppError NOT_FOUND, FILE_CORRUPT
 */
export async function loadTfjsExport(dir: string): Promise<tf.LayersModel> {
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
  } catch (err) {
    throw new AppError('NOT_FOUND', `${dir} has no readable model.json: ${(err as Error).message}`, { dir }, { cause: err });
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) parts.push(await fs.readFile(path.join(dir, p)));
  }
  const all = Buffer.concat(parts);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) }));
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `Cannot load the TF.js model in ${dir}: ${(err as Error).message}`, { dir }, { cause: err });
  }
}
