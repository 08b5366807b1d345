// SPDX-License-Identifier: MIT
// Every export opened by the tool its users run (issue 18): Keras 3 load_model for .keras and .h5,
// model.load_weights for the weight files, TensorFlow's TFLite interpreter, the ONNX checker
// (full_check) and onnxruntime, and @tensorflow/tfjs in Chromium. Each must predict what the app
// predicts on the same images within 1e-4 on probabilities, for a MobileNetV2, a ResNet, an
// EfficientNet and a classic. One Python process per model does all the Python-side checks.
// The measured figures and tool versions go to test-results/interop/loaders.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../../src/engine/export/index';
import { launchBrowser } from '../e2e/harness';
import { pythonMissing, REPO_ROOT, runPython } from '../python';
import { type FixtureOptions, fixtureModel, LABELS, maxAbsDiff } from './fixture-model';
import { predictInChromium, serveExports, type StaticServer } from './tfjs-browser';

const TOLERANCE = 1e-4;
const FORMATS = ['keras', 'h5', 'tflite', 'onnx', 'tfjs'] as const;
const CHECKER = readFileSync(path.join(REPO_ROOT, 'test/interop/check_exports.py'), 'utf8');
const REPORT = path.join(REPO_ROOT, 'test-results/interop/loaders.json');

/** One per family the issue names; small inputs keep CI fast (the layers are the same at any size). */
const MODELS: { id: string; size: number; opts?: FixtureOptions }[] = [
  { id: 'mobilenetv2', size: 32, opts: { weights: 'nsfwjs' } },
  { id: 'resnet50', size: 32 },
  { id: 'efficientnetb0', size: 32 },
  { id: 'resnet18', size: 32 },
];

interface PythonReport {
  versions: Record<string, string>;
  probs: Record<string, number[][]>;
  labels: Record<string, string[]>;
  keras_config_diffs: string[];
}

const measured: Record<string, Record<string, { tool: string; maxAbsDiff: number }>> = {};
let versions: Record<string, string> = {};
let root: string;
let browser: Browser;
let server: StaticServer;

describe.skipIf(pythonMissing())('exports open in the tools their users run', () => {
  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-interop-'));
    browser = await launchBrowser();
    server = await serveExports(root);
  });

  afterAll(async () => {
    await server?.close();
    await browser?.close();
    if (Object.keys(measured).length) {
      mkdirSync(path.dirname(REPORT), { recursive: true });
      writeFileSync(REPORT, `${JSON.stringify({ tolerance: TOLERANCE, versions, models: measured }, null, 2)}\n`);
      console.info(`interop: ${JSON.stringify({ versions, models: measured })}`);
    }
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  for (const m of MODELS) {
    it(`${m.id}: Keras, TFLite, ONNX and TF.js in Chromium predict what the app predicts`, async () => {
      const dir = path.join(root, m.id);
      const fx = await fixtureModel(m.id, m.size, path.join(dir, 'artifact'), m.opts);
      // The check can fail only if the probabilities depend on the image: they must differ between images.
      const spread = Math.max(...fx.appProbs[0].map((_, j) => Math.max(...fx.appProbs.map((r) => r[j])) - Math.min(...fx.appProbs.map((r) => r[j]))));
      expect(spread).toBeGreaterThan(0.01);
      for (const format of FORMATS) await exportModel({ artifactDir: fx.artifactDir, format, out: path.join(dir, format) });
      const shape = [fx.n, fx.size, fx.size, 3];
      await fs.writeFile(path.join(dir, 'pixels.json'), JSON.stringify({ shape, pixels: Array.from(fx.pixels) }));

      const py = JSON.parse(runPython(CHECKER, [dir], { timeoutMs: 240_000 })) as PythonReport;
      versions = { ...versions, ...py.versions };
      expect(py.keras_config_diffs).toEqual([]);
      for (const labels of Object.values(py.labels)) expect(labels).toEqual(LABELS);
      const web = await predictInChromium(browser, server, `${m.id}/tfjs`, fx.pixels, shape);
      versions = { ...versions, '@tensorflow/tfjs': `${web.tfjsVersion} (${web.backend} backend)`, chromium: web.chromium };

      const tools: Record<string, string> = {
        keras: 'keras.saving.load_model',
        'keras (model card snippet)': 'model-card.md snippet (keras.saving.load_model)',
        'h5 (model card snippet)': 'model-card.md snippet (keras.saving.load_model)',
        'tflite (model card snippet)': 'model-card.md snippet (tf.lite.Interpreter)',
        'onnx (model card snippet)': 'model-card.md snippet (onnxruntime)',
        'keras.weights.h5 (load_weights)': 'keras Model.load_weights',
        h5: 'keras.saving.load_model',
        'h5 (load_weights)': 'keras Model.load_weights',
        tflite: 'tf.lite.Interpreter',
        onnx: 'onnx.checker full_check + onnxruntime',
      };
      const diffs: Record<string, { tool: string; maxAbsDiff: number }> = {};
      // The TFLite snippet predicts x[:1] (the file's batch is 1): it is compared on that image.
      for (const [name, probs] of Object.entries(py.probs)) diffs[name] = { tool: tools[name] ?? name, maxAbsDiff: maxAbsDiff(probs, fx.appProbs.slice(0, probs.length)) };
      expect(py.probs.keras).toHaveLength(fx.n);
      diffs.tfjs = { tool: 'tf.loadLayersModel in Chromium', maxAbsDiff: maxAbsDiff(web.probs, fx.appProbs) };
      measured[m.id] = diffs;
      expect(Object.keys(diffs).sort()).toEqual([...Object.keys(tools), 'tfjs'].sort());
      for (const [name, d] of Object.entries(diffs)) expect(d.maxAbsDiff, `${m.id} ${name}`).toBeLessThanOrEqual(TOLERANCE);
    }, 300_000);
  }
});
