// SPDX-License-Identifier: MIT
// The one set of pretrained weights that ships with the app: the Keras-trained MobileNetV2 (alpha
// 1.0, 224 px) inside the nsfwjs package, as TF.js layers JSON and base64 uint8-quantised weights.
// Its convolutions do not depend on the input size, so they fill a zoo MobileNetV2 of any size.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';

const require = createRequire(import.meta.url);

/** What the nsfwjs weights expect: RGB scaled to [0, 1] (nsfwjs divides by 255). */
export const NSFWJS_PREPROCESS = 'unit' as const;

let cached: Promise<Map<string, tf.Tensor[]>> | undefined;

function modelFolder(): string {
  let main: string;
  try {
    main = require.resolve('nsfwjs');
  } catch (err) {
    throw new AppError('WEIGHTS_MISSING', 'The nsfwjs package (which holds the bundled MobileNetV2 weights) is not installed. Run npm install in the app folder, or train with --weights none.', undefined, { cause: err });
  }
  // The package's exports map hides dist/models, so the files are required by absolute path.
  return path.join(main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`)), 'dist', 'models', 'mobilenet_v2');
}

async function loadWeightsByLayer(): Promise<Map<string, tf.Tensor[]>> {
  const dir = modelFolder();
  const json = require(path.join(dir, 'model.min.js')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const b64 = require(path.join(dir, 'group1-shard1of1.min.js')) as string;
  const buf = Buffer.from(b64, 'base64');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    }),
  );
  const byLayer = new Map<string, tf.Tensor[]>();
  for (const layer of model.layers) {
    if (layer.weights.length) byLayer.set(layer.name, layer.getWeights().map((w) => tf.keep(w.clone())));
  }
  model.dispose();
  return byLayer;
}

export interface NsfwjsReport {
  /** Layers of the target model that received weights. */
  loaded: number;
  /** Weighted layers of the target the file had nothing for (a head, or layers of another architecture). */
  missing: string[];
}

/**
 * Copies the bundled nsfwjs MobileNetV2 weights into `model` (a zoo MobileNetV2, alpha 1.0, any
 * input size, with or without top) by layer name. Layers the bundle lacks (a new head) are left as
 * they are and listed in `missing`.
 * @throws AppError WEIGHTS_MISMATCH when a layer of the same name has other shapes (another alpha),
 *   WEIGHTS_MISSING when nothing matched (not a MobileNetV2).
 */
export async function applyNsfwjsWeights(model: tf.LayersModel): Promise<NsfwjsReport> {
  cached ??= loadWeightsByLayer();
  const source = await cached;
  const writes: [tf.layers.Layer, tf.Tensor[]][] = [];
  const missing: string[] = [];
  for (const layer of model.layers) {
    if (!layer.weights.length) continue;
    const saved = source.get(layer.name);
    if (!saved) {
      missing.push(layer.name);
      continue;
    }
    const shapes = layer.weights.map((w) => w.shape);
    if (saved.length !== shapes.length || saved.some((t, i) => !tf.util.arraysEqual(t.shape, shapes[i] as number[]))) {
      throw new AppError(
        'WEIGHTS_MISMATCH',
        `The bundled nsfwjs MobileNetV2 weights do not fit layer ${layer.name}: it needs ${JSON.stringify(shapes)}, the bundle has ${JSON.stringify(saved.map((t) => t.shape))}. They fit only MobileNetV2 with alpha 1.0; use --weights imagenet or none for other variants.`,
        { layer: layer.name },
      );
    }
    writes.push([layer, saved]);
  }
  if (!writes.length) {
    throw new AppError('WEIGHTS_MISSING', `The nsfwjs weights are MobileNetV2 weights; model ${model.name} has none of its layers. Use --weights imagenet or none.`, { model: model.name });
  }
  for (const [layer, saved] of writes) layer.setWeights(saved);
  return { loaded: writes.length, missing };
}
