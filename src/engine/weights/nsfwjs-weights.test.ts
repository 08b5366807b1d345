// SPDX-License-Identifier: MIT
// nsfwjs's bundled MobileNetV2 weights in the zoo's MobileNetV2: on real Fashion-MNIST images our
// model must compute the same out_relu features as the bundled model truncated there.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findFashionMnistDir, readIdx } from '../../../test/fixtures/fashion-mnist';
import { loadNsfwjsBackbone, nsfwjsSource, readNsfwjsArtifacts } from './nsfwjs-weights';
import { readTfjsModel } from './tfjs-import';

const SIZE = 96;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface KerasLayerJson {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
}

/** The bundled model cut at out_relu, with its input set to SIZE (its head only fits 224). */
async function bundledTruncated(): Promise<tf.LayersModel> {
  const a = readNsfwjsArtifacts();
  const topo = structuredClone(a.modelTopology) as { model_config: { config: { layers: KerasLayerJson[]; output_layers: unknown[] } } };
  const cfg = topo.model_config.config;
  const cut = cfg.layers.findIndex((l) => l.name === 'out_relu');
  cfg.layers = cfg.layers.slice(0, cut + 1);
  cfg.output_layers = [['out_relu', 0, 0]];
  cfg.layers[0].config.batch_input_shape = [null, SIZE, SIZE, 3];
  const handler = tf.io.fromMemory({ modelTopology: topo, weightSpecs: a.weightSpecs, weightData: a.weightData });
  return tf.loadLayersModel(handler, { strict: false });
}

/** Four Fashion-MNIST test images, upscaled to SIZE, grey to RGB, scaled to [0, 1] ('unit'). */
function images(): tf.Tensor4D {
  const { dims, data } = readIdx(path.join(findFashionMnistDir(), 't10k-images-idx3-ubyte.gz'));
  const [, h, w] = dims;
  const picks = [0, 1, 2, 3];
  return tf.tidy(() => {
    const grey = tf.tensor4d(
      picks.flatMap((i) => Array.from(data.subarray(i * h * w, (i + 1) * h * w))),
      [picks.length, h, w, 1],
    );
    return tf.image.resizeBilinear(grey, [SIZE, SIZE]).tile([1, 1, 1, 3]).div(255) as tf.Tensor4D;
  });
}

describe('nsfwjs MobileNetV2 backbone', () => {
  it('describes its source and licence', () => {
    const s = nsfwjsSource();
    expect(s).toMatchObject({ id: 'nsfwjs', preprocess: 'unit', featureLayer: 'out_relu', modelId: 'mobilenetv2' });
    expect(s.licence.spdx).toBe('MIT');
    expect(s.licence.copyright).toMatch(/Infinite Red/);
  });

  it('loads 104 layers by name and computes the bundled model features (max abs diff < 1e-4)', async () => {
    const { model, report } = loadNsfwjsBackbone({ inputSize: SIZE });
    expect(report.loaded).toHaveLength(104);
    expect(report.missing).toEqual([]);
    expect(report.weightsLoaded).toBe(260);
    expect(report.skipped.map((s) => s.layer).sort()).toEqual(['dense_1', 'dense_2', 'dense_3']);

    const reference = await bundledTruncated();
    const x = images();
    const ours = model.predict(x) as tf.Tensor;
    const theirs = reference.predict(x) as tf.Tensor;
    expect(ours.shape).toEqual([4, 3, 3, 1280]);
    expect(theirs.shape).toEqual(ours.shape);
    const diff = tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0];
    const scale = tf.max(tf.abs(theirs)).dataSync()[0];
    expect(scale).toBeGreaterThan(0.1);
    expect(diff).toBeLessThan(1e-4);
    process.stdout.write(`nsfwjs features at ${SIZE}px: max |ours - bundled| = ${diff.toExponential(2)}, max |feature| = ${scale.toFixed(3)}\n`);
    // Different images give different features (the weights are not all zero or constant).
    const rows = tf.mean(ours, [1, 2]).arraySync() as number[][];
    const apart = rows[0].reduce((sum, v, c) => sum + Math.abs(v - rows[1][c]), 0) / rows[0].length;
    expect(apart).toBeGreaterThan(1e-2);
    tf.dispose([x, ours, theirs]);
    model.dispose();
    reference.dispose();
  });

  it('fills a MobileNetV2 with its own top (reported missing) and refuses another alpha', async () => {
    const { getModelSpec } = await import('../zoo/registry');
    const withTop = getModelSpec('MobileNetV2').build({ inputShape: [32, 32, 3], classes: 4 });
    const { importNsfwjsWeights } = await import('./nsfwjs-weights');
    expect(importNsfwjsWeights(withTop).missing).toEqual(['predictions']);
    withTop.dispose();
    const slim = getModelSpec('MobileNetV2').build({ includeTop: false, inputShape: [32, 32, 3], alpha: 0.5 });
    expect(() => importNsfwjsWeights(slim)).toThrow(expect.objectContaining({ code: 'WEIGHTS_MISMATCH' }));
    slim.dispose();
  });

  it('reads the same model from a model.json and shard on disk', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const os = await import('node:os');
    const a = readNsfwjsArtifacts();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-tfjs-'));
    writeFileSync(path.join(dir, 'group1-shard1of1.bin'), Buffer.from(a.weightData));
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] }));
    const disk = await readTfjsModel(path.join(dir, 'model.json'));
    expect(disk.weightData.byteLength).toBe(a.weightData.byteLength);
    writeFileSync(path.join(dir, 'group1-shard1of1.bin'), Buffer.from(a.weightData).subarray(0, 1000));
    const { importTfjsWeights } = await import('./tfjs-import');
    const { model } = loadNsfwjsBackbone({ inputSize: 32 });
    await expect(importTfjsWeights(model, path.join(dir, 'model.json'))).rejects.toMatchObject({ code: 'FILE_CORRUPT', message: expect.stringContaining('model.json') });
    model.dispose();
  });
});
