// SPDX-License-Identifier: MIT
// Well-conditioned models for the loader tests (issue 18). A 1e-4 check on probabilities only means
// something when the probabilities depend on the image and are far from 0 and 1, and when float32
// rounding is not blown up by the weights. So: MobileNetV2 carries nsfwjs's real weights; the other
// backbones keep their initialisers' kernels, get random BatchNorm gammas/betas and biases, and have
// every BatchNorm's moving mean and variance set from a real forward pass on the fixture images (one
// graph walk, layer by layer), so each normalises its input to unit scale; the head is a class-mean
// classifier on the pooled features, scaled so its logits have a spread of about 1.5. The app's
// predictions come from the saved folder through the engine's own preprocessing, as classify does.
import * as tf from '@tensorflow/tfjs';
import { loadModelArtifact, saveModelArtifact } from '../../src/engine/artifacts/model-artifact';
import { createRng } from '../../src/engine/data/rng';
import { attachHead } from '../../src/engine/train/head';
import { loadNsfwjsBackbone, NSFWJS_PREPROCESS } from '../../src/engine/weights/nsfwjs-weights';
import { getModelSpec } from '../../src/engine/zoo/registry';
import { preprocessPixels } from '../../src/engine/zoo/preprocess';

export const LABELS = ['red', 'green', 'blue'];
/** Largest standard deviation of the head's logits within one image: softmax far from 0 and 1. */
const LOGIT_SPREAD = 1.5;
const CALIBRATION_IMAGES = 24;

export interface FixtureOptions {
  /** Zoo builder options (e.g. alpha). */
  build?: Record<string, unknown>;
  /** 'nsfwjs': the bundled real MobileNetV2 weights instead of calibrated random ones. */
  weights?: 'nsfwjs';
}

export interface FixtureModel {
  artifactDir: string;
  size: number;
  /** Raw 0..255 RGB pixels, NHWC, of the images every tool predicts on. */
  pixels: Uint8Array;
  n: number;
  /** What the app predicts for them (softmax rows, float32 values). */
  appProbs: number[][];
}

/** `n` images of `size`x`size`: image i leans towards LABELS[i % 3], with seeded noise. */
export function tintedImages(n: number, size: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  const out = new Uint8Array(n * size * size * 3);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) out[(i * size * size + p) * 3 + c] = Math.round(c === i % 3 ? rng.uniform(120, 255) : rng.uniform(0, 140));
    }
  }
  return out;
}

/** Random BatchNorm gammas/betas and biases, so those weights matter to the comparison. */
function randomizeAffine(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed);
  for (const layer of model.layers) {
    const values = layer.getWeights();
    if (!values.length) continue;
    const next = layer.weights.map((w, i) => {
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      const range = short === 'gamma' ? [0.6, 1.2] : short === 'beta' || short === 'bias' ? [-0.2, 0.2] : null;
      if (!range) return values[i];
      return tf.tensor(Float32Array.from({ length: values[i].size }, () => rng.uniform(range[0], range[1])), values[i].shape);
    });
    layer.setWeights(next);
    next.forEach((t, i) => t !== values[i] && t.dispose());
  }
}

interface GraphNode {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
  callArgs?: Record<string, unknown>;
}

/**
 * Runs `x` through the model layer by layer (model.layers is in graph order). With `calibrate`,
 * each BatchNormalization's moving mean and variance become its input's statistics first, so one
 * pass calibrates them all. A channel whose variance is near 0 on these images gets a floor (a
 * tenth of the layer's mean variance): dividing by a tiny variance would scale rounding noise up.
 * Returns what head_predictions sees (the pooled features; dropout is off outside training).
 */
function walk(model: tf.LayersModel, x: tf.Tensor4D, calibrate: boolean): tf.Tensor2D {
  const values = new Map<number, tf.Tensor>([[model.inputs[0].id, x]]);
  let features: tf.Tensor2D | undefined;
  for (const layer of model.layers) {
    const nodes = (layer as unknown as { inboundNodes: GraphNode[] }).inboundNodes;
    if (nodes.length !== 1) throw new Error(`fixture: layer ${layer.name} has ${nodes.length} inbound nodes (expected 1)`);
    const node = nodes[0];
    if (layer.getClassName() === 'InputLayer') continue;
    const inputs = node.inputTensors.map((t) => {
      const v = values.get(t.id);
      if (!v) throw new Error(`fixture: ${layer.name} runs before its input ${t.name}`);
      return v;
    });
    if (calibrate && layer.getClassName() === 'BatchNormalization') {
      const w = layer.getWeights();
      if (w.length !== 4) throw new Error(`fixture: ${layer.name} has ${w.length} weights (expected gamma, beta, moving mean, moving variance)`);
      const [mean, variance] = tf.tidy(() => {
        const m = tf.moments(inputs[0], [0, 1, 2]);
        return [m.mean, tf.maximum(m.variance, tf.mul(tf.mean(m.variance), 0.1))];
      });
      layer.setWeights([w[0], w[1], mean, variance]);
      tf.dispose([mean, variance]);
    }
    if (layer.name === 'head_predictions') features = tf.clone(inputs[0]) as tf.Tensor2D;
    const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs, node.callArgs ?? {}) as tf.Tensor | tf.Tensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
  }
  for (const v of values.values()) if (v !== x) v.dispose();
  if (!features) throw new Error('fixture: the model has no head_predictions layer');
  return features;
}

/**
 * Sets head_predictions to a class-mean classifier on the features (each class's mean minus the
 * overall mean, per feature variance), scaled so no image's logits spread wider than LOGIT_SPREAD.
 */
function fitHead(model: tf.LayersModel, features: tf.Tensor2D, classes: number[]): void {
  const dense = model.getLayer('head_predictions');
  const [kernel, bias] = tf.tidy(() => {
    const { mean, variance } = tf.moments(features, 0);
    const scaled = tf.div(tf.sub(features, mean), tf.sqrt(tf.add(variance, 1e-6)));
    const cols = LABELS.map((_, k) => {
      const rows = classes.flatMap((c, i) => (c === k ? [i] : []));
      return tf.mean(tf.gather(scaled, rows), 0);
    });
    // Logits of the standardised features, folded back onto the raw ones: W' = W / sd, b = -mean . W'.
    const w = tf.div(tf.stack(cols, 1), tf.reshape(tf.sqrt(tf.add(variance, 1e-6)), [-1, 1]));
    const b = tf.neg(tf.matMul(tf.reshape(mean, [1, -1]), w)).reshape([-1]);
    const logits = tf.add(tf.matMul(features, w), b);
    const spread = tf.max(tf.sqrt(tf.moments(logits, 1).variance)).dataSync()[0];
    const s = LOGIT_SPREAD / spread;
    return [tf.mul(w, s), tf.mul(b, s)];
  });
  dense.setWeights([kernel, bias]);
  tf.dispose([kernel, bias]);
}

function predict(model: tf.LayersModel, x: Float32Array, n: number, size: number): number[][] {
  return tf.tidy(() => (model.predict(tf.tensor4d(x, [n, size, size, 3])) as tf.Tensor).arraySync() as number[][]);
}

/** Builds, calibrates and saves the model, then predicts the test images from the saved folder. */
export async function fixtureModel(id: string, size: number, dir: string, opts: FixtureOptions = {}): Promise<FixtureModel> {
  const spec = getModelSpec(id);
  const preprocess = opts.weights === 'nsfwjs' ? NSFWJS_PREPROCESS : spec.preprocess;
  const backbone = opts.weights === 'nsfwjs' ? loadNsfwjsBackbone({ inputSize: size }).model : spec.build({ includeTop: false, inputShape: [size, size, 3], ...opts.build });
  const model = attachHead(backbone, { numClasses: LABELS.length, seed: 1 });
  const calib = tintedImages(CALIBRATION_IMAGES, size, 11);
  const xs = tf.tensor4d(preprocessPixels(calib, preprocess), [CALIBRATION_IMAGES, size, size, 3]);
  if (opts.weights !== 'nsfwjs') randomizeAffine(model, 3);
  const features = walk(model, xs, opts.weights !== 'nsfwjs');
  fitHead(model, features, Array.from({ length: CALIBRATION_IMAGES }, (_, i) => i % LABELS.length));
  tf.dispose([xs, features]);
  await saveModelArtifact(model, dir, { labels: LABELS, inputSize: size, preprocess, backbone: spec.id, weights: opts.weights ?? 'none' });
  model.dispose();

  // The compared images are calibration images: the scale bounds are known to hold on them.
  const n = 4;
  const pixels = calib.slice(0, n * size * size * 3);
  const { model: saved, meta } = await loadModelArtifact(dir);
  try {
    return { artifactDir: dir, size, pixels, n, appProbs: predict(saved, preprocessPixels(pixels, meta.preprocess), n, size) };
  } finally {
    saved.dispose();
  }
}

export function maxAbsDiff(a: number[][], b: number[][]): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  a.forEach((row, i) => {
    if (row.length !== b[i].length) m = Infinity;
    row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j]))));
  });
  return m;
}
