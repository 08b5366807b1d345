// SPDX-License-Identifier: MIT
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelArtifact } from '../artifacts/model-artifact';
import { evaluatePredictions } from '../eval/metrics';
import { randomizeWeights } from '../onnx/parity';
import { attachHead } from '../train/head';
import { importH5Weights } from '../weights/h5-import';
import { importKerasArchive } from '../weights/keras-archive';
import { openH5, readArray, stringAttr, stringListAttr, type H5Group } from '../weights/h5-file';
import { createModel } from '../zoo/registry';
import { exportModel, loadTfjsExport, probeInputs, sha256, type ExportContext } from './index';

const SIZE = 64;
const LABELS = ['cat', 'dog', 'eel'];
let dir: string;
let artifact: string;
let model: tf.LayersModel;
let context: ExportContext;

function fresh(): tf.LayersModel {
  return attachHead(createModel('MobileNetV2', { includeTop: false, inputShape: [SIZE, SIZE, 3], alpha: 0.35 }), { numClasses: 3, seed: 1 });
}

function predict(m: tf.LayersModel, x: Float32Array): Float32Array {
  return tf.tidy(() => (m.predict(tf.tensor4d(x, [x.length / (SIZE * SIZE * 3), SIZE, SIZE, 3])) as tf.Tensor).dataSync() as Float32Array).slice();
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-export-'));
  model = fresh();
  randomizeWeights(model, 3);
  artifact = path.join(dir, 'model');
  await saveModelArtifact(model, artifact, { labels: LABELS, inputSize: SIZE, preprocess: 'tf', backbone: 'mobilenetv2', weights: 'imagenet', runId: 7 });
  const x = probeInputs(6, SIZE, 3);
  const probs = predict(model, x);
  const yTrue = [0, 1, 2, 0, 1, 2];
  const images = LABELS.flatMap((l, i) => ['a.jpg', 'b.jpg', 'c.jpg'].map((f, j) => ({ path: `${l}/${f}`, label: l, split: (['train', 'validation', 'test'] as const)[(i + j) % 3] })));
  context = {
    runId: 7,
    training: { epochs: 3, batch: 8, lr: 0.001, optimizer: 'adam' },
    evaluation: evaluatePredictions(yTrue, probs, 3, { classNames: LABELS }),
    dataset: { name: 'pets', root: '/data/pets', images },
  };
}, 60_000);

afterAll(async () => {
  model?.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('every export', () => {
  it('writes labels, preprocessing and a model card with the confusion matrix as a PNG', async () => {
    const out = path.join(dir, 'common');
    const r = await exportModel({ artifactDir: artifact, format: 'h5', out, context });
    expect(r.files.map((f) => f.path)).toEqual(['confusion.png', 'labels.txt', 'model-card.html', 'model-card.md', 'model.h5', 'preprocessing.json']);
    expect(await fs.readFile(path.join(out, 'labels.txt'), 'utf8')).toBe('cat\ndog\neel\n');
    const pre = JSON.parse(await fs.readFile(path.join(out, 'preprocessing.json'), 'utf8'));
    expect(pre).toMatchObject({ inputSize: 64, colorOrder: 'RGB', scale: 1 / 127.5, offset: -1, mean: [0, 0, 0], std: [1, 1, 1], mode: 'tf' });
    const md = await fs.readFile(path.join(out, 'model-card.md'), 'utf8');
    expect(md).toContain('MobileNetV2');
    expect(md).toContain('Apache License 2.0');
    expect(md).toContain('![Confusion matrix');
    expect(md).toContain('| cat | 1 | 1 | 1 |');
    expect(md).toContain('- epochs: `3`');
    const html = await fs.readFile(path.join(out, 'model-card.html'), 'utf8');
    expect(html).toContain('<img alt="Confusion matrix');
    expect(html).toContain('<table>');
    const png = await sharp(path.join(out, 'confusion.png')).metadata();
    expect(png.format).toBe('png');
    expect(png.width).toBeGreaterThan(200);
  });
});

describe('TF.js export', () => {
  it('reloads with tf.loadLayersModel and predicts the same', async () => {
    const out = path.join(dir, 'tfjs');
    const r = await exportModel({ artifactDir: artifact, format: 'tfjs', out });
    expect(r.files.map((f) => f.path)).toContain('group1-shard1of1.bin');
    const json = JSON.parse(await fs.readFile(path.join(out, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(JSON.stringify(json.modelTopology)).not.toContain('keepdims');
    expect(r.notes).toEqual([]);
    const back = await loadTfjsExport(out);
    const x = probeInputs(3, SIZE, 5);
    expect(maxDiff(predict(back, x), predict(model, x))).toBeLessThan(1e-6);
    back.dispose();
  });
});

function h5Group(root: H5Group, p: string): H5Group {
  const g = root.get(p);
  expect(g, p).toBeTruthy();
  return g as H5Group;
}

describe('Keras exports', () => {
  it('.keras holds Keras 3 config.json, metadata.json and every weight in the layers/<name>/vars layout', async () => {
    const out = path.join(dir, 'keras');
    await exportModel({ artifactDir: artifact, format: 'keras', out });
    const zip = unzipSync(new Uint8Array(await fs.readFile(path.join(out, 'model.keras'))));
    expect(Object.keys(zip)).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
    const meta = JSON.parse(Buffer.from(zip['metadata.json']).toString());
    expect(meta.keras_version).toMatch(/^3\./);
    expect(meta.date_saved).toMatch(/^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/);
    const cfg = JSON.parse(Buffer.from(zip['config.json']).toString());
    // What Keras 3.15.1's serialize_keras_object writes for a functional model (test/interop loads it in Keras).
    expect(cfg).toMatchObject({ module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional', build_config: { input_shape: null }, compile_config: {} });
    expect(cfg.config.input_layers).toEqual(['input_layer', 0, 0]);
    const conv = cfg.config.layers.find((l: { name: string }) => l.name === 'Conv1');
    expect(conv).toMatchObject({ module: 'keras.layers', class_name: 'Conv2D', registered_name: null, build_config: { input_shape: [null, 64, 64, 3] } });
    expect(conv.config.dtype).toEqual({ module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null });
    // tfjs's conv default is glorotNormal (Keras's is GlorotUniform); the export names what the model holds.
    expect(conv.config.kernel_initializer).toEqual({ module: 'keras.initializers', class_name: 'GlorotNormal', config: { seed: null, input_axes: null, output_axes: null }, registered_name: null });
    expect(conv.config.groups).toBe(1);
    const bn = cfg.config.layers.find((l: { name: string }) => l.name === 'bn_Conv1');
    expect(bn.inbound_nodes[0].kwargs).toEqual({ mask: null });
    expect(bn.config).toMatchObject({ synchronized: false, renorm: false, renorm_clipping: null, renorm_momentum: 0.99 });
    // Keras records no build shapes for layers built at construction (activations, pooling, dropout).
    const relu = cfg.config.layers.find((l: { name: string }) => l.name === 'Conv1_relu');
    expect(relu.build_config).toBeUndefined();
    expect(relu.config).toMatchObject({ negative_slope: 0, threshold: 0 });
    expect(conv.inbound_nodes).toEqual([{ args: [{ class_name: '__keras_tensor__', config: { shape: [null, 64, 64, 3], dtype: 'float32', keras_history: ['input_layer', 0, 0] } }], kwargs: {} }]);
    const add = cfg.config.layers.find((l: { class_name: string }) => l.class_name === 'Add');
    expect(add.inbound_nodes[0].args).toHaveLength(1);
    expect(add.inbound_nodes[0].args[0]).toHaveLength(2);

    const h5file = path.join(dir, 'weights.h5');
    await fs.writeFile(h5file, zip['model.weights.h5']);
    const f = await openH5(h5file);
    try {
      const groups = h5Group(f, 'layers').keys();
      let checked = 0;
      // Keras 3 names each layer's group after its class in snake_case (conv2d, conv2d_1, ...).
      const seen = new Map<string, number>();
      for (const layer of model.layers) {
        const snake = layer.getClassName().replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase().replace('2_d', '2d');
        const k = seen.get(snake) ?? 0;
        seen.set(snake, k + 1);
        const name = k ? `${snake}_${k}` : snake;
        expect(groups).toContain(name);
        const vars = h5Group(f, `layers/${name}/vars`);
        expect(stringAttr(vars, 'name', h5file)).toBe(layer.name);
        const values = layer.getWeights();
        for (let i = 0; i < values.length; i++) {
          const a = readArray(vars, String(i), h5file);
          expect(a.shape).toEqual(values[i].shape);
          expect(maxDiff(a.values, values[i].dataSync())).toBe(0);
          checked++;
        }
      }
      expect(checked).toBe(model.weights.length);
    } finally {
      f.close();
    }
    const back = fresh();
    const report = await importKerasArchive(back, path.join(out, 'model.keras'));
    expect(report.weightsLoaded).toBe(model.weights.length);
    const x = probeInputs(2, SIZE, 9);
    expect(maxDiff(predict(back, x), predict(model, x))).toBe(0);
    back.dispose();
  });

  it('.h5 has model_config, keras_version, backend and model_weights named as Keras writes them', async () => {
    const out = path.join(dir, 'h5');
    await exportModel({ artifactDir: artifact, format: 'h5', out });
    const file = path.join(out, 'model.h5');
    const f = await openH5(file);
    const manifest = JSON.parse(await fs.readFile(path.resolve('../shared/keras/models/MobileNetV2.json'), 'utf8')) as {
      layers: { name: string; weights: { name: string; keras3_name?: string }[] }[];
    };
    try {
      expect(stringAttr(f, 'keras_version', file)).toMatch(/^3\./);
      expect(stringAttr(f, 'backend', file)).toBe('tensorflow');
      const cfg = JSON.parse(stringAttr(f, 'model_config', file)!);
      expect(cfg.class_name).toBe('Functional');
      const mw = h5Group(f, 'model_weights');
      expect(stringListAttr(mw, 'layer_names', file)).toEqual(model.layers.map((l) => l.name));
      let named = 0;
      for (const layer of model.layers) {
        const g = h5Group(mw, layer.name);
        const names = stringListAttr(g, 'weight_names', file) ?? [];
        expect(names).toHaveLength(layer.weights.length);
        const values = layer.getWeights();
        names.forEach((n, i) => {
          const a = readArray(g, n, file);
          expect(maxDiff(a.values, values[i].dataSync())).toBe(0);
        });
        // The backbone's names must be exactly Keras 3's (tf.keras 2 names without ':0', depthwise kernel renamed).
        const ref = manifest.layers.find((l) => l.name === layer.name);
        if (ref && ref.weights.length) {
          expect(names).toEqual(ref.weights.map((w) => w.keras3_name ?? w.name.replace(/:0$/, '')));
          named++;
        }
      }
      expect(named).toBeGreaterThan(90);
    } finally {
      f.close();
    }
    const back = fresh();
    const report = await importH5Weights(back, file);
    expect(report.weightsLoaded).toBe(model.weights.length);
    const x = probeInputs(2, SIZE, 9);
    expect(maxDiff(predict(back, x), predict(model, x))).toBe(0);
    back.dispose();
  });
});

describe('ONNX export', () => {
  it('matches TF.js within 1e-4 and measures what int8 and float16 cost on a validation set', async () => {
    const pixels = Float32Array.from(probeInputs(8, SIZE, 21), (v) => (v + 1) * 127.5);
    const labels = Array.from({ length: 8 }, (_, i) => {
      const p = predict(model, Float32Array.from(pixels.subarray(i * SIZE * SIZE * 3, (i + 1) * SIZE * SIZE * 3), (v) => v / 127.5 - 1));
      return p.indexOf(Math.max(...p));
    });
    for (const quantize of ['int8', 'float16'] as const) {
      const r = await exportModel({ artifactDir: artifact, format: 'onnx', out: path.join(dir, `onnx-${quantize}`), quantize, validation: { pixels, labels } });
      expect(r.parity!.maxAbsDiff).toBeLessThan(1e-4);
      expect(r.files.map((f) => f.path)).toContain(`model.${quantize}.onnx`);
      const q = r.quantization!;
      expect(q.accuracyBefore).toBe(1);
      expect(q.accuracyAfter).toBeGreaterThanOrEqual(0.75);
      expect(q.maxAbsDiff).toBeGreaterThan(0);
      expect(q.maxAbsDiff).toBeLessThan(quantize === 'int8' ? 0.05 : 1e-3);
      expect(q.bytesAfter).toBeLessThan(q.bytesBefore * (quantize === 'int8' ? 0.4 : 0.6));
    }
  });
});

describe('training package', () => {
  it('holds the model, a manifest that matches the dataset, a script that compiles and a README', async () => {
    const out = path.join(dir, 'package');
    const r = await exportModel({ artifactDir: artifact, format: 'package', out, context });
    expect(r.files.map((f) => f.path)).toEqual([
      'README.md', 'confusion.png', 'labels.txt', 'manifest.csv', 'manifest.json', 'model-card.html', 'model-card.md', 'model.keras', 'preprocessing.json', 'train.py',
    ]);
    const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.labels).toEqual(LABELS);
    expect(manifest.images).toHaveLength(9);
    expect(new Set(manifest.images.map((i: { path: string }) => i.path))).toEqual(new Set(context.dataset!.images!.map((i) => i.path)));
    expect(manifest.counts).toEqual({ train: 3, validation: 3, test: 3, none: 0 });
    const csv = (await fs.readFile(path.join(out, 'manifest.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('path,label,split');
    expect(csv).toHaveLength(10);
    const script = await fs.readFile(path.join(out, 'train.py'), 'utf8');
    expect(script).toContain('MirroredStrategy()');
    expect(script).toContain('MultiWorkerMirroredStrategy()');
    expect(script).toContain('BackupAndRestore(');
    execFileSync('python3', ['-m', 'py_compile', path.join(out, 'train.py')]);
    // The recipe train.py reads: phase 1 from the run's config, MobileNetV2's 19 freezing blocks.
    expect(manifest.recipe.phases[0]).toEqual({ phase: 1, epochs: 3, lr: 0.001 });
    expect(manifest.recipe.blocks.map((b: { name: string }) => b.name).slice(0, 3)).toEqual(['stem', 'block_0', 'block_1']);
    expect(manifest.recipe.blocks).toHaveLength(19);
    expect(manifest.recipe.blocks.flatMap((b: { layers: string[] }) => b.layers).some((n: string) => n.startsWith('head_'))).toBe(false);
    const readme = await fs.readFile(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain('transfer-studio runs import output');
    expect(readme).toContain('TF_CONFIG');
    expect(readme).toContain('kind: TFJob');
  });
});

describe('re-export', () => {
  it('gives the same bytes, as folders and as zips', async () => {
    for (const format of ['keras', 'tfjs', 'h5'] as const) {
      const a = await exportModel({ artifactDir: artifact, format, out: path.join(dir, `det-${format}-a.zip`), zip: true, context });
      const b = await exportModel({ artifactDir: artifact, format, out: path.join(dir, `det-${format}-b.zip`), zip: true, context });
      expect(b.files).toEqual(a.files);
      expect(sha256(await fs.readFile(b.path))).toBe(sha256(await fs.readFile(a.path)));
    }
  });
});
