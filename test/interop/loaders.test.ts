// SPDX-License-Identifier: MIT
// Every export opened by the tool its users run (issue 18): Keras 3 load_model for .keras and .h5,
// model.load_weights for the weight files, TensorFlow's TFLite interpreter, the ONNX checker
// (full_check) and onnxruntime, and @tensorflow/tfjs in Chromium. Each must predict what the app
// predicts on the same images within 1e-4 on probabilities, for a MobileNetV2, a ResNet, an
// EfficientNet and a classic. One Python process does all the Python-side checks (TensorFlow is
// imported once) while Chromium checks the same model.
// The measured figures and tool versions go to test-results/interop/loaders.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { stableJson, text, writeBundle } from '../../src/engine/export/bundle';
import { exportModel } from '../../src/engine/export/index';
import { addTfjsFiles } from '../../src/engine/export/tfjs-export';
import { launchBrowser } from '../e2e/harness';
import { pythonMissing, REPO_ROOT } from '../python';
import { CUSTOM_SIZE, customLayersModel } from './custom-layers-model';
import { type FixtureOptions, fixtureModel, LABELS, maxAbsDiff, tintedImages } from './fixture-model';
import { type PythonChecker, startPythonChecker } from './python-checker';
import { predictInChromium, runTfjsSnippet, serveExports, type StaticServer } from './tfjs-browser';

const TOLERANCE = 1e-4;
const FORMATS = ['keras', 'h5', 'tflite', 'onnx', 'tfjs'] as const;
const REPORT = path.join(REPO_ROOT, 'test-results/interop/loaders.json');

/** One per family the issue names; small inputs keep CI fast (the layers are the same at any size). */
const MODELS: { id: string; size: number; opts?: FixtureOptions }[] = [
  { id: 'mobilenetv2', size: 32, opts: { weights: 'nsfwjs' } },
  { id: 'resnet50', size: 32 },
  { id: 'efficientnetb0', size: 32 },
  { id: 'resnet18', size: 32 },
];

const measured: Record<string, Record<string, { tool: string; maxAbsDiff: number }>> = {};
/** Where each model's time goes (CI budget: the suite should stay within ~3 minutes on 2 cores). */
const seconds: Record<string, Record<string, number>> = {};

/** lap: seconds since the last lap, and a new lap starts; mark: seconds since the last lap only. */
function stopwatch(): { lap(name: string): void; mark(name: string): void; laps: Record<string, number> } {
  let t = performance.now();
  const laps: Record<string, number> = {};
  const mark = (name: string) => (laps[name] = Math.round((performance.now() - t) / 100) / 10);
  return {
    laps,
    mark,
    lap(name) {
      mark(name);
      t = performance.now();
    },
  };
}
let versions: Record<string, string> = {};
let root: string;
let browser: Browser;
let server: StaticServer;
let python: PythonChecker;

describe.skipIf(pythonMissing())('exports open in the tools their users run', () => {
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-interop-'));
    python = startPythonChecker();
    browser = await launchBrowser();
    server = await serveExports(root);
  });

  afterAll(async () => {
    python?.close();
    await server?.close();
    await browser?.close();
    if (Object.keys(measured).length) {
      mkdirSync(path.dirname(REPORT), { recursive: true });
      writeFileSync(REPORT, `${JSON.stringify({ tolerance: TOLERANCE, versions, models: measured, seconds }, null, 2)}\n`);
      console.info(`interop: ${JSON.stringify({ versions, models: measured, seconds })}`);
    }
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  for (const m of MODELS) {
    it(`${m.id}: Keras, TFLite, ONNX and TF.js in Chromium predict what the app predicts`, async () => {
      const dir = path.join(root, m.id);
      const clock = stopwatch();
      const fx = await fixtureModel(m.id, m.size, path.join(dir, 'artifact'), m.opts);
      // The check can fail only if the probabilities depend on the image: they must differ between images.
      const spread = Math.max(...fx.appProbs[0].map((_, j) => Math.max(...fx.appProbs.map((r) => r[j])) - Math.min(...fx.appProbs.map((r) => r[j]))));
      expect(spread).toBeGreaterThan(0.01);
      // ...and they must not be saturated, where a softmax hides any difference in the logits.
      expect(Math.max(...fx.appProbs.flat())).toBeLessThan(0.99);
      clock.lap('fixture');
      for (const format of FORMATS) await exportModel({ artifactDir: fx.artifactDir, format, out: path.join(dir, format) });
      clock.lap('export');
      const shape = [fx.n, fx.size, fx.size, 3];
      await fs.writeFile(path.join(dir, 'pixels.json'), JSON.stringify({ shape, pixels: Array.from(fx.pixels) }));

      // Python (Keras, TFLite, ONNX) and Chromium (TF.js) are separate processes: both at once.
      const [py, web] = await Promise.all([
        python.check(dir, 240_000).then((r) => (clock.mark('python'), r)),
        (async () => {
          const tfjs = await predictInChromium(browser, server, `${m.id}/tfjs`, fx.pixels, shape);
          const snippet = await runTfjsSnippet(browser, server, root, `${m.id}/tfjs`, fx.pixels);
          clock.mark('chromium');
          return { ...tfjs, snippet };
        })(),
      ]);
      clock.lap('python and chromium, together');
      versions = { ...versions, ...py.versions };
      versions = { ...versions, '@tensorflow/tfjs': `${web.tfjsVersion} (${web.backend} backend; the model card snippet ran on ${web.snippet.backend})`, chromium: web.chromium };
      expect(py.keras_config_diffs).toEqual([]);
      for (const labels of Object.values(py.labels)) expect(labels).toEqual(LABELS);

      const tools: Record<string, string> = {
        keras: 'keras.saving.load_model + predict (the model card snippet, as written)',
        h5: 'keras.saving.load_model + predict (the model card snippet, as written)',
        'keras.weights.h5 (load_weights)': 'keras Model.from_config + load_weights (model.weights.h5 inside model.keras)',
        'h5 (load_weights)': 'keras Model.from_config + load_weights (model.h5)',
        tflite: 'tf.lite.Interpreter',
        'tflite (model card snippet)': 'tf.lite.Interpreter (the model card snippet, as written)',
        onnx: 'onnx.checker.check_model(full_check=True) + onnxruntime (the model card snippet, as written)',
      };
      const diffs: Record<string, { tool: string; maxAbsDiff: number }> = {};
      // The TFLite snippet predicts x[:1] (the file's batch is 1): it is compared on that image.
      for (const [name, probs] of Object.entries(py.probs)) diffs[name] = { tool: tools[name] ?? name, maxAbsDiff: maxAbsDiff(probs, fx.appProbs.slice(0, probs.length)) };
      expect(py.probs.keras).toHaveLength(fx.n);
      diffs.tfjs = { tool: 'tf.loadLayersModel in Chromium', maxAbsDiff: maxAbsDiff(web.probs, fx.appProbs) };
      diffs['tfjs (model card snippet)'] = { tool: `the model card snippet in Chromium, as written (${web.snippet.backend} backend)`, maxAbsDiff: maxAbsDiff(web.snippet.probs, fx.appProbs) };
      measured[m.id] = diffs;
      seconds[m.id] = clock.laps;
      expect(Object.keys(diffs).sort()).toEqual([...Object.keys(tools), 'tfjs', 'tfjs (model card snippet)'].sort());
      for (const [name, d] of Object.entries(diffs)) expect(d.maxAbsDiff, `${m.id} ${name}`).toBeLessThanOrEqual(TOLERANCE);
    }, 300_000);
  }

  it('transfer-studio-layers.js: every layer it defines predicts in Chromium what the app predicts', async () => {
    const model = customLayersModel();
    const n = 4;
    const pixels = tintedImages(n, CUSTOM_SIZE, 7);
    const shape = [n, CUSTOM_SIZE, CUSTOM_SIZE, 3];
    // The model rescales inside the graph, so preprocessing.json is the identity.
    const app = tf.tidy(() => (model.predict(tf.tensor4d(Float32Array.from(pixels), shape as [number, number, number, number])) as tf.Tensor).arraySync() as number[][]);
    const bundle = new Map<string, Uint8Array>();
    const custom = await addTfjsFiles(model, bundle);
    model.dispose();
    expect(custom).toEqual(['AdaptiveAveragePooling2D', 'CustomScaleLayer', 'GlobalAveragePooling2D (keepdims)', 'Normalization', 'Rescaling (per-channel)']);
    expect(bundle.has('transfer-studio-layers.js')).toBe(true);
    bundle.set('preprocessing.json', text(stableJson({ colorOrder: 'RGB', scale: 1, offset: 0, mean: [0, 0, 0], std: [1, 1, 1] })));
    await writeBundle(bundle, path.join(root, 'custom-layers'), false);
    const web = await predictInChromium(browser, server, 'custom-layers', pixels, shape);
    const spread = Math.max(...app[0].map((_, j) => Math.max(...app.map((r) => r[j])) - Math.min(...app.map((r) => r[j]))));
    expect(spread).toBeGreaterThan(0.01);
    const d = maxAbsDiff(web.probs, app);
    measured['transfer-studio-layers.js'] = { tfjs: { tool: 'tf.loadLayersModel in Chromium after transfer-studio-layers.js', maxAbsDiff: d } };
    expect(d).toBeLessThanOrEqual(TOLERANCE);
  }, 120_000);
});
