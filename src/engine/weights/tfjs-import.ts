// SPDX-License-Identifier: MIT
// TF.js layers models (model.json + binary shards, as tensorflowjs_converter writes them): the
// weights are matched to our layers by layer name, and within a layer by weight name, because the
// manifest lists weights in its own order (nsfwjs's is alphabetical).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { applyPairs, weightedLayers, type ImportReport, type Pair, type SavedLayer, type SkippedWeight } from './apply';
import { corrupt, type SavedArray } from './h5-file';

export interface TfjsArtifacts {
  /** The Keras model JSON (`modelTopology`), kept for callers that rebuild the reference model. */
  modelTopology: Record<string, unknown>;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

export interface TfjsImportOptions {
  skipMismatch?: boolean;
  /** {ourLayerName: layerNameInTheFile} where the two differ. */
  renameLayers?: Record<string, string>;
  /** Name to use in messages. */
  displayName?: string;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, string: 0 };

/** Bytes the manifest says the weights take (quantised entries take their stored dtype). */
export function expectedWeightBytes(specs: tf.io.WeightsManifestEntry[]): number {
  return specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[s.quantization?.dtype ?? s.dtype], 0);
}

function concat(buffers: Uint8Array[]): ArrayBuffer {
  const total = buffers.reduce((n, b) => n + b.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out.buffer;
}

/**
 * Reads model.json and its shards from disk.
 * @throws AppError NOT_FOUND, FILE_CORRUPT (bad JSON, missing or short shard)
 */
export async function readTfjsModel(modelJson: string): Promise<TfjsArtifacts> {
  let json: { modelTopology?: Record<string, unknown>; weightsManifest?: tf.io.WeightsManifestConfig };
  try {
    json = JSON.parse(await readFile(modelJson, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', `No such file: ${modelJson}. Check the path.`, { file: modelJson }, { cause: err });
    throw corrupt(modelJson, `it is not valid JSON (${(err as Error).message})`, err);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw corrupt(modelJson, 'it has no modelTopology or weightsManifest (is it a TF.js layers model?)');
  const buffers: Uint8Array[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const shard = path.resolve(path.dirname(modelJson), p);
      try {
        buffers.push(new Uint8Array(await readFile(shard)));
      } catch (err) {
        throw corrupt(modelJson, `its weight shard ${shard} cannot be read (${(err as Error).message})`, err);
      }
    }
  }
  return { modelTopology: json.modelTopology, weightSpecs, weightData: concat(buffers) };
}

/** Decodes (and dequantises) the weights into saved layers, grouped by layer name. */
export function decodeTfjsWeights(a: TfjsArtifacts, file: string): SavedLayer[] {
  const need = expectedWeightBytes(a.weightSpecs);
  if (a.weightData.byteLength < need) throw corrupt(file, `its weights need ${need} bytes, the shards hold ${a.weightData.byteLength}`);
  let tensors: tf.NamedTensorMap;
  try {
    tensors = tf.io.decodeWeights(a.weightData, a.weightSpecs);
  } catch (err) {
    throw corrupt(file, `its weights cannot be decoded (${(err as Error).message})`, err);
  }
  const layers = new Map<string, SavedArray[]>();
  for (const spec of a.weightSpecs) {
    const t = tensors[spec.name];
    const cut = spec.name.lastIndexOf('/');
    const layer = cut > 0 ? spec.name.slice(0, cut) : spec.name;
    const arr: SavedArray = { name: spec.name, shape: [...t.shape], values: Float32Array.from(t.dataSync() as ArrayLike<number>) };
    t.dispose();
    layers.set(layer, [...(layers.get(layer) ?? []), arr]);
  }
  return [...layers].map(([name, weights]) => ({ name, weights }));
}

/** Pairs by layer name and loads. Model layers without weights in the file are reported missing. */
export function importTfjsArtifacts(model: tf.LayersModel, a: TfjsArtifacts, opts: TfjsImportOptions & { file: string }): ImportReport {
  const saved = decodeTfjsWeights(a, opts.file);
  const byName = new Map(saved.map((s) => [s.name, s]));
  const pairs: Pair[] = [];
  const used = new Set<string>();
  for (const layer of weightedLayers(model)) {
    const fileName = opts.renameLayers?.[layer.name] ?? layer.name;
    const s = byName.get(fileName);
    if (!s) continue;
    pairs.push({ layer, saved: s, savedName: fileName });
    used.add(fileName);
  }
  const skipped: SkippedWeight[] = saved.filter((s) => !used.has(s.name)).map((s) => ({ layer: s.name, reason: 'no layer of this name in the model' }));
  return applyPairs(opts.displayName ?? opts.file, 'tfjs-layers', pairs, weightedLayers(model), skipped, { skipMismatch: opts.skipMismatch, matchWeightsByName: true });
}

/**
 * Loads the weights of a TF.js layers model (model.json + shards) into `model` by layer name.
 * @throws AppError NOT_FOUND, FILE_CORRUPT, WEIGHTS_MISMATCH
 */
export async function importTfjsWeights(model: tf.LayersModel, modelJson: string, opts: TfjsImportOptions = {}): Promise<ImportReport> {
  return importTfjsArtifacts(model, await readTfjsModel(modelJson), { ...opts, file: modelJson });
}
