// SPDX-License-Identifier: MIT
// ONNX Runtime sessions, batching, the freeze-boundary split, and one real Keras-trained model:
// the MobileNetV2 (224x224, Flatten + Dense head) that the nsfwjs package ships in TF.js format.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { convertModel } from './convert';
import { checkParity, randomizeWeights, seededRandom } from './parity';
import { createSession, runBatches, runSession } from './runtime';
import { splitModel } from './split';

const L = tf.layers;
type T = tf.SymbolicTensor;
const dir = mkdtempSync(path.join(os.tmpdir(), 'onnx-runtime-test-'));

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function smallNet(): tf.LayersModel {
  const inp = tf.input({ shape: [10, 10, 3] });
  let x = L.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'stem' }).apply(inp) as T;
  x = L.batchNormalization({ name: 'stem_bn' }).apply(x) as T;
  const r = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'res_conv' }).apply(x) as T;
  x = L.add({ name: 'res_add' }).apply([x, r]) as T;
  x = L.globalAveragePooling2d({ name: 'pool' }).apply(x) as T;
  x = L.dense({ units: 3, activation: 'softmax', name: 'predictions' }).apply(x) as T;
  const m = tf.model({ inputs: inp, outputs: x });
  randomizeWeights(m, 11);
  return m;
}

function randomImages(n: number, hw: number): Float32Array {
  const rand = seededRandom(n * 1000 + hw);
  return Float32Array.from({ length: n * hw * hw * 3 }, () => rand() * 2 - 1);
}

describe('sessions', () => {
  it('opens from bytes and from a file and gives the same answer; batches concatenate', async () => {
    const model = smallNet();
    const bytes = convertModel(model);
    const file = path.join(dir, 'small.onnx');
    writeFileSync(file, bytes);
    const a = await createSession(bytes);
    const b = await createSession(file, { threads: 1 });
    const x = randomImages(5, 10);
    const ra = await runSession(a, x, [5, 10, 10, 3]);
    const rb = await runBatches(b, x, [10, 10, 3], 2);
    expect(ra.shape).toEqual([5, 3]);
    expect(rb.shape).toEqual([5, 3]);
    expect(Math.max(...ra.data.map((v, i) => Math.abs(v - rb.data[i])))).toBeLessThan(1e-6);
    // Rows are softmax outputs.
    expect(ra.data[0] + ra.data[1] + ra.data[2]).toBeCloseTo(1, 5);
    await a.release();
    await b.release();
  });

  it('reports missing files, corrupt bytes and wrong input lengths with codes', async () => {
    await expect(createSession(path.join(dir, 'absent.onnx'))).rejects.toSatisfy((e) => AppError.is(e, 'NOT_FOUND'));
    await expect(createSession(new Uint8Array([1, 2, 3, 4]))).rejects.toSatisfy((e) => AppError.is(e, 'FILE_CORRUPT'));
    const s = await createSession(convertModel(smallNet()));
    await expect(runSession(s, new Float32Array(10), [1, 10, 10, 3])).rejects.toSatisfy((e) => AppError.is(e, 'INVALID_INPUT'));
    await s.release();
  });
});

describe('splitModel', () => {
  it('runs the frozen part on ONNX Runtime and the head on TF.js with the same result as the whole model', async () => {
    const model = smallNet();
    const { frozen, head, boundaryShape } = splitModel(model, 'res_add');
    expect(boundaryShape).toEqual([null, 5, 5, 4]);
    expect(head.layers.map((l) => l.name)).toEqual(['res_add_features', 'pool', 'predictions']);
    const x = randomImages(3, 10);
    const session = await createSession(frozen);
    const features = await runSession(session, x, [3, 10, 10, 3]);
    await session.release();
    expect(features.shape).toEqual([3, 5, 5, 4]);
    const viaSplit = tf.tidy(() => (head.predict(tf.tensor(features.data, features.shape)) as tf.Tensor).dataSync());
    const whole = tf.tidy(() => (model.predict(tf.tensor(x, [3, 10, 10, 3])) as tf.Tensor).dataSync());
    expect(Math.max(...whole.map((v, i) => Math.abs(v - viaSplit[i])))).toBeLessThan(1e-5);
  });

  it('refuses a cut that a skip connection crosses', () => {
    expect(() => splitModel(smallNet(), 'res_conv')).toThrow(/skip connection crosses it/);
  });
});

/** Loads the nsfwjs MobileNetV2 bundle (UMD files holding the model JSON and base64 weights). */
async function loadNsfwMobileNetV2(): Promise<tf.LayersModel> {
  const require = createRequire(import.meta.url);
  // The package's exports map hides dist/models, so the files are required by absolute path.
  const main = require.resolve('nsfwjs');
  const models = path.join(main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`)), 'dist', 'models', 'mobilenet_v2');
  const json = require(path.join(models, 'model.min.js')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const weights = require(path.join(models, 'group1-shard1of1.min.js')) as string;
  const buf = Buffer.from(weights, 'base64');
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    }),
  );
}

describe('a real Keras-trained model', () => {
  it('nsfwjs MobileNetV2 (224, trained Flatten+Dense head) matches TF.js within 1e-4', async () => {
    const model = await loadNsfwMobileNetV2();
    expect(model.layers.some((l) => l.getClassName() === 'Flatten')).toBe(true);
    const r = await checkParity(model, 2);
    expect(r.outputShape).toEqual([2, 5]);
    expect(r.maxAbsDiff).toBeLessThan(1e-4);
    const features = await checkParity(model, 1, { outputLayer: 'out_relu', seed: 7 });
    expect(features.outputShape).toEqual([1, 7, 7, 1280]);
    expect(features.maxAbsDiff / Math.max(1, features.maxAbsRef)).toBeLessThan(1e-4);
    model.dispose();
  });
});
