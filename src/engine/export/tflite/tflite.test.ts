// SPDX-License-Identifier: MIT
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildOptions } from '../../zoo/types';
import { randomizeWeights } from '../../onnx/parity';
import { attachHead } from '../../train/head';
import { createModel } from '../../zoo/registry';
import { probeInputs } from '../export-model';
import { kerasToTflite } from './convert';
import { parseTflite, runTflite } from './reference-interpreter';
import { writeTflite } from './writer';
import { pythonMissing, runPython } from '../../../../test/python';

const ARMNN_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'armnn-run.py');
// Debian's python3-pyarmnn (Arm NN 20.08, TfLite parser, CpuRef backend): a real TFLite runtime when installed.
const HAS_ARMNN = spawnSync('/usr/bin/python3', ['-c', 'import pyarmnn'], { stdio: 'ignore' }).status === 0;

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ts-tflite-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function classifier(id: string, size: number, opts: BuildOptions = {}): tf.LayersModel {
  const m = attachHead(createModel(id, { includeTop: false, inputShape: [size, size, 3], ...opts }), { numClasses: 4, seed: 2 });
  randomizeWeights(m, 5);
  return m;
}

function predict(m: tf.LayersModel, x: Float32Array, size: number): Float32Array {
  return tf.tidy(() => (m.predict(tf.tensor4d(x, [1, size, size, 3])) as tf.Tensor).dataSync() as Float32Array).slice();
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('TFLite export of MobileNetV2 (alpha 0.35, 64 px) with a 4-class head', () => {
  const size = 64;
  let model: tf.LayersModel;
  let float32: Uint8Array;
  beforeAll(() => {
    model = classifier('mobilenetv2', size, { alpha: 0.35 });
    float32 = writeTflite(kerasToTflite(model, { description: 'test' }));
  });
  afterAll(() => model.dispose());

  it('is a TFL3 flatbuffer with folded batch norms and the expected ops', () => {
    const m = parseTflite(float32);
    expect(m.identifier).toBe('TFL3');
    expect(m.version).toBe(3);
    expect(m.description).toBe('test');
    expect(new Set(m.opNames)).toEqual(new Set(['CONV_2D', 'DEPTHWISE_CONV_2D', 'PAD', 'ADD', 'RELU6', 'MEAN', 'FULLY_CONNECTED', 'SOFTMAX']));
    // Every BatchNormalization is folded into the convolution before it: no MUL, one op per conv.
    const convs = model.layers.filter((l) => l.getClassName().endsWith('Conv2D')).length;
    expect(m.operators.filter((o) => m.opNames[o.opcode].endsWith('CONV_2D'))).toHaveLength(convs);
    expect(m.tensors[m.inputs[0]].shape).toEqual([1, size, size, 3]);
    expect(m.tensors[m.outputs[0]].shape).toEqual([1, 4]);
  });

  it('runs in the reference interpreter and matches TF.js within 1e-4', () => {
    const m = parseTflite(float32);
    for (const seed of [1, 2]) {
      const x = probeInputs(1, size, seed);
      expect(maxDiff(runTflite(m, x), predict(model, x, size))).toBeLessThan(1e-4);
    }
  });

  it.skipIf(!HAS_ARMNN)('runs in Arm NN (a real TFLite runtime) and matches TF.js within 1e-4', async () => {
    const file = path.join(dir, 'mobilenetv2.tflite');
    await fs.writeFile(file, float32);
    const x = probeInputs(1, size, 3);
    await fs.writeFile(path.join(dir, 'in.f32'), x);
    execFileSync('/usr/bin/python3', [ARMNN_SCRIPT, file, path.join(dir, 'in.f32'), path.join(dir, 'out.f32')], { stdio: 'pipe' });
    const out = new Float32Array(new Uint8Array(await fs.readFile(path.join(dir, 'out.f32'))).buffer);
    expect(maxDiff(out, predict(model, x, size))).toBeLessThan(1e-4);
  });

  it('int8 stores per-channel int8 kernels behind DEQUANTIZE, a third of the size, close to float', () => {
    const bytes = writeTflite(kerasToTflite(model, { int8: true }));
    expect(bytes.byteLength).toBeLessThan(float32.byteLength * 0.4);
    const m = parseTflite(bytes);
    const q = m.tensors.filter((t) => t.type === 9);
    expect(q.length).toBe(model.layers.filter((l) => l.getClassName().endsWith('Conv2D') || l.getClassName() === 'Dense').length);
    const dw = q.find((t) => t.name.endsWith('depthwise/kernel_int8'))!;
    expect(dw.qdim).toBe(3);
    expect(dw.scale).toHaveLength(dw.shape[3]);
    const x = probeInputs(1, size, 4);
    const d = maxDiff(runTflite(m, x), predict(model, x, size));
    expect(d).toBeGreaterThan(0);
    expect(d).toBeLessThan(0.05);
  });
});

describe('TFLite export of the other mobile backbones', () => {
  // Small inputs keep the tfjs cpu forward pass quick; the ops are what matters here.
  for (const [id, size, opts] of [
    ['mobilenet', 64, { alpha: 0.25 }],
    ['efficientnetb0', 64, {}],
    ['nasnetmobile', 64, {}],
  ] as [string, number, BuildOptions][]) {
    it(`${id} at ${size} px matches TF.js within 1e-4`, () => {
      const model = classifier(id, size, opts);
      try {
        const m = parseTflite(writeTflite(kerasToTflite(model)));
        const x = probeInputs(1, size, 6);
        expect(maxDiff(runTflite(m, x), predict(model, x, size))).toBeLessThan(1e-4);
      } finally {
        model.dispose();
      }
    }, 60_000);
  }
});

describe('TFLite export of a classic: LeNet-5 (tanh throughout) at 32 px RGB', () => {
  const size = 32;
  let model: tf.LayersModel;
  let bytes: Uint8Array;
  beforeAll(() => {
    model = classifier('lenet5', size);
    bytes = writeTflite(kerasToTflite(model));
  });
  afterAll(() => model.dispose());

  it('writes tanh as TFLite TANH and matches TF.js within 1e-4 in the reference interpreter', () => {
    const m = parseTflite(bytes);
    expect(m.opNames).toContain('TANH');
    const x = probeInputs(1, size, 7);
    expect(maxDiff(runTflite(m, x), predict(model, x, size))).toBeLessThan(1e-4);
  });

  it.skipIf(pythonMissing())("runs in TensorFlow's tf.lite.Interpreter and matches TF.js within 1e-4", async () => {
    const file = path.join(dir, 'lenet5.tflite');
    await fs.writeFile(file, bytes);
    const x = probeInputs(1, size, 8);
    await fs.writeFile(path.join(dir, 'lenet5-in.f32'), x);
    const script = [
      'import sys, numpy as np, tensorflow as tf',
      'it = tf.lite.Interpreter(model_path=sys.argv[1]); it.allocate_tensors()',
      'i, o = it.get_input_details()[0], it.get_output_details()[0]',
      'it.set_tensor(i["index"], np.fromfile(sys.argv[2], dtype=np.float32).reshape(i["shape"])); it.invoke()',
      'print(" ".join(repr(float(v)) for v in it.get_tensor(o["index"]).ravel()))',
    ].join('\n');
    const out = runPython(script, [file, path.join(dir, 'lenet5-in.f32')]).trim().split(/\s+/).map(Number);
    expect(maxDiff(out, predict(model, x, size))).toBeLessThan(1e-4);
  }, 120_000);
});
