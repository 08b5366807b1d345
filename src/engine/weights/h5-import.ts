// SPDX-License-Identifier: MIT
// Loads Keras HDF5 weights into a tfjs model:
// - legacy `.h5` (keras/src/legacy/saving/legacy_h5_format.py): weights-only files carry root attrs
//   `layer_names`, full-model files the same inside group `model_weights`; each layer group has attr
//   `weight_names`. Keras pairs the file's weighted layers with the model's BY POSITION; `byName`
//   pairs by layer name and understands the Keras 2 names inside the official files.
// - Keras 3 `model.weights.h5` (keras/src/saving/saving_lib.py): `layers/<snake_case(class)>[_k]/vars/0..n`,
//   walked in model.layers order, as Keras's _load_state does; `byName` uses each vars group's `name` attr.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { applyPairs, weightedLayers, type ImportReport, type Pair, type SavedLayer, type SkippedWeight } from './apply';
import { corrupt, getGroup, hasAttr, isGroup, openH5, readArray, stringAttr, stringListAttr, type H5Group } from './h5-file';

export interface H5ImportOptions {
  /** Pair layers by name (with the Keras 2 legacy names) instead of Keras's positional rule. */
  byName?: boolean;
  /** Skip weights whose shape differs (a changed head) instead of failing. */
  skipMismatch?: boolean;
  /** Keras model name for the legacy-name map ('ResNet50'); default: guessed from model.name. */
  kerasName?: string;
  /** Name to use in messages (the user's file name when `file` is a temporary copy). */
  displayName?: string;
}

const LEGACY_NAMES_JSON = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/keras/legacy-names.json');
let legacyNames: Record<string, Record<string, string>> | undefined;

/** {modernLayerName: legacyName} for a Keras model (weighted layers whose keras_applications 1.0.8 name differs). */
export function kerasLegacyNames(kerasName: string): Record<string, string> {
  legacyNames ??= JSON.parse(readFileSync(LEGACY_NAMES_JSON, 'utf8')) as Record<string, Record<string, string>>;
  const key = Object.keys(legacyNames).find((k) => k.toLowerCase() === kerasName.toLowerCase());
  return key ? legacyNames[key] : {};
}

/** Keras's naming.to_snake_case, used for Keras 3 weight paths. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Keras 3's class name for a tfjs layer (tfjs calls a functional model 'Model'). */
export function kerasClassName(layer: tf.layers.Layer): string {
  const c = layer.getClassName();
  return c === 'Model' ? 'Functional' : c;
}

/** The layer paths Keras 3 writes for model.layers: snake_case(class), then _1, _2 for repeats. */
export function keras3LayerPaths(layers: tf.layers.Layer[], prefix = 'layers'): string[] {
  const used = new Map<string, number>();
  return layers.map((l) => {
    const base = toSnakeCase(kerasClassName(l));
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return `${prefix}/${n === undefined ? base : `${base}_${n + 1}`}`;
  });
}

function readLegacyLayer(group: H5Group, name: string, file: string): SavedLayer {
  const g = getGroup(group, name, file);
  const names = stringListAttr(g, 'weight_names', file) ?? [];
  return { name, weights: names.map((w) => readArray(g, w, file)) };
}

/** The weighted layers of a legacy group, in the file's layer_names order. */
export function readLegacyLayers(group: H5Group, file: string): SavedLayer[] {
  const names = stringListAttr(group, 'layer_names', file);
  if (!names) throw corrupt(file, `${group.path} has no layer_names attribute`);
  return names.map((n) => readLegacyLayer(group, n, file)).filter((l) => l.weights.length > 0);
}

function readVars(g: H5Group, file: string, name: string): SavedLayer {
  const keys = g.keys();
  const weights = keys.map((_, i) => {
    if (!keys.includes(String(i))) throw corrupt(file, `${g.path} holds ${keys.join(', ')} instead of 0..${keys.length - 1}`);
    return readArray(g, String(i), file);
  });
  return { name, weights };
}

function childGroup(parent: H5Group, p: string): H5Group | null {
  try {
    const g = parent.get(p);
    return isGroup(g) ? g : null;
  } catch {
    return null;
  }
}

/** The Keras name whose legacy names apply: opts.kerasName, else the longest Keras name model.name starts with. */
function guessKerasName(model: tf.LayersModel, opts: H5ImportOptions): string {
  if (opts.kerasName) return opts.kerasName;
  legacyNames ??= JSON.parse(readFileSync(LEGACY_NAMES_JSON, 'utf8')) as Record<string, Record<string, string>>;
  const norm = model.name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const hits = Object.keys(legacyNames).filter((k) => norm.startsWith(k.toLowerCase()));
  return hits.sort((a, b) => b.length - a.length)[0] ?? model.name;
}

/** Legacy pairs: by position (Keras) or by name (with the Keras 2 names). */
function legacyPairs(model: tf.LayersModel, saved: SavedLayer[], opts: H5ImportOptions, file: string): { pairs: Pair[]; skipped: SkippedWeight[] } {
  const targets = weightedLayers(model);
  const skipped: SkippedWeight[] = [];
  if (!opts.byName) {
    if (saved.length !== targets.length && !opts.skipMismatch) {
      throw new AppError('WEIGHTS_MISMATCH', `${file} has ${saved.length} layers with weights, this model has ${targets.length}. Keras pairs them by position, so the architecture differs; try importing by name (byName) or with skipMismatch.`, { file, expectedLayers: targets.length, receivedLayers: saved.length });
    }
    const n = Math.min(saved.length, targets.length);
    for (const s of saved.slice(n)) skipped.push({ layer: s.name, reason: 'no layer at this position in the model' });
    return { pairs: saved.slice(0, n).map((s, i) => ({ layer: targets[i], saved: s, savedName: s.name })), skipped };
  }
  const modern = new Map(model.layers.map((l) => [l.name, l]));
  const legacy = kerasLegacyNames(guessKerasName(model, opts));
  const fromLegacy = new Map(Object.entries(legacy).map(([m, l]) => [l, m]));
  // A file uses the Keras 2 names when it holds a legacy name that no modern layer has
  // (conv2d_94 in InceptionV3, Logits in MobileNetV2); then conv2d_1 means today's conv2d.
  const usesLegacy = saved.some((s) => fromLegacy.has(s.name) && !modern.has(s.name));
  const pairs: Pair[] = [];
  for (const s of saved) {
    const target = modern.get(usesLegacy ? fromLegacy.get(s.name) ?? s.name : s.name);
    if (target && target.weights.length > 0) pairs.push({ layer: target, saved: s, savedName: s.name });
    else skipped.push({ layer: s.name, reason: 'no layer of this name in the model' });
  }
  return { pairs, skipped };
}

/** Keras 3 pairs: the path Keras would compute for each layer, or the `name` attr with byName. */
function keras3Pairs(model: tf.LayersModel, root: H5Group, opts: H5ImportOptions, file: string): { pairs: Pair[]; skipped: SkippedWeight[] } {
  const pairs: Pair[] = [];
  const skipped: SkippedWeight[] = [];
  if (opts.byName) {
    const byName = new Map<string, { g: H5Group; p: string }>();
    const walk = (g: H5Group, p: string) => {
      for (const k of g.keys()) {
        const child = childGroup(g, k);
        if (!child) continue;
        if (k === 'vars') {
          const n = stringAttr(child, 'name', file);
          if (n && child.keys().length > 0) byName.set(n, { g: child, p });
        } else walk(child, `${p}/${k}`);
      }
    };
    const layersGroup = childGroup(root, 'layers');
    if (layersGroup) walk(layersGroup, 'layers');
    const modern = new Map(model.layers.map((l) => [l.name, l]));
    for (const [n, { g, p }] of byName) {
      const layer = modern.get(n);
      if (layer && layer.weights.length > 0) pairs.push({ layer, saved: readVars(g, file, n), savedName: `${n} (${p})` });
      else skipped.push({ layer: n, reason: 'no layer of this name in the model' });
    }
    return { pairs, skipped };
  }
  const visit = (layers: tf.layers.Layer[], prefix: string) => {
    keras3LayerPaths(layers, prefix).forEach((p, i) => {
      const layer = layers[i];
      const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (nested) return visit(nested, `${p}/layers`);
      if (layer.weights.length === 0) return;
      const vars = childGroup(root, `${p}/vars`);
      if (vars && vars.keys().length > 0) pairs.push({ layer, saved: readVars(vars, file, layer.name), savedName: `${stringAttr(vars, 'name', file) ?? layer.name} (${p})` });
    });
  };
  visit(model.layers, 'layers');
  return { pairs, skipped };
}

/**
 * Loads any Keras HDF5 weights file (legacy weights-only, legacy full model, Keras 3 weights) into
 * `model`. Nothing is written unless every pair fits (or skipMismatch).
 * @throws AppError NOT_FOUND, FILE_UNREADABLE, FILE_CORRUPT, WEIGHTS_MISMATCH
 */
export async function importH5Weights(model: tf.LayersModel, file: string, opts: H5ImportOptions = {}): Promise<ImportReport> {
  const shown = opts.displayName ?? file;
  const f = await openH5(file);
  try {
    return importFromOpenFile(model, f, shown, opts);
  } catch (err) {
    if (err instanceof AppError) {
      if (shown !== file && err.message.includes(file)) throw new AppError(err.code, err.message.split(file).join(shown), { ...err.details, file: shown }, { cause: err });
      throw err;
    }
    throw corrupt(shown, (err as Error).message, err);
  } finally {
    f.close();
  }
}

function importFromOpenFile(model: tf.LayersModel, f: H5Group, shown: string, opts: H5ImportOptions): ImportReport {
  const fullModel = childGroup(f, 'model_weights');
  const legacyRoot = fullModel ?? (hasAttr(f, 'layer_names') || hasAttr(f, 'layer_names0') ? f : null);
  if (legacyRoot) {
    const saved = readLegacyLayers(legacyRoot, shown);
    const { pairs, skipped } = legacyPairs(model, saved, opts, shown);
    return applyPairs(shown, fullModel ? 'keras-h5-model' : 'keras-h5-weights', pairs, weightedLayers(model), skipped, opts);
  }
  if (childGroup(f, 'layers') || childGroup(f, 'vars')) {
    const { pairs, skipped } = keras3Pairs(model, f, opts, shown);
    if (pairs.length === 0 && weightedLayers(model).length > 0) throw corrupt(shown, 'it holds no weights for any layer of this model');
    return applyPairs(shown, 'keras-v3', pairs, weightedLayers(model), skipped, opts);
  }
  throw corrupt(shown, 'it has neither layer_names (Keras .h5) nor layers/ (Keras 3 weights)');
}
