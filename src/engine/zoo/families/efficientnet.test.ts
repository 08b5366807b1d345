// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffAgainstManifest, loadManifest } from '../keras-reference';
import { specs } from './efficientnet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const b0 = specs[0];

describe('efficientnet family', () => {
  it('lists B0..B7 with Keras default sizes', () => {
    expect(specs.map((s) => [s.name, s.defaultInputSize])).toEqual([
      ['EfficientNetB0', 224], ['EfficientNetB1', 240], ['EfficientNetB2', 260], ['EfficientNetB3', 300],
      ['EfficientNetB4', 380], ['EfficientNetB5', 456], ['EfficientNetB6', 528], ['EfficientNetB7', 600],
    ]);
  });

  // Builds take ~0.4 s (B0) to ~5.5 s (B7) each on the 2-core CPU here.
  it.each(specs.map((s) => [s.name, s] as const))('%s matches its Keras manifest layer for layer', (name, spec) => {
    const model = spec.build();
    try {
      expect(diffAgainstManifest(model, loadManifest(name))).toEqual([]);
      const names = loadManifest(name).layers.map((l) => l.name);
      expect(names.filter((nm) => spec.blockOf(nm) === null)).toEqual([]);
    } finally {
      model.dispose();
    }
  });

  it('maps layers to stem, block1a..block7a, top_conv and top', () => {
    const blocks = [...new Set(loadManifest('EfficientNetB0').layers.map((l) => b0.blockOf(l.name)))];
    expect(blocks[0]).toBe('stem');
    expect(blocks.slice(1, 4)).toEqual(['block1a', 'block2a', 'block2b']);
    expect(blocks.slice(-3)).toEqual(['block7a', 'top_conv', 'top']);
    expect(blocks).toHaveLength(1 + 16 + 2);
    expect(b0.blockOf('normalization')).toBe('stem');
    expect(b0.blockOf('block4c_drop')).toBe('block4c');
  });

  it('puts Keras ImageNet normalisation in the graph: output = (x/255 - mean) / stddev', () => {
    const model = b0.build({ includeTop: false, inputShape: [32, 32, 3] });
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    // The .h5 stores the stddev (not its square) as the Normalization variance.
    model.getLayer('normalization').setWeights([tf.tensor1d(mean), tf.tensor1d(std), tf.scalar(0)]);
    const probe = tf.model({ inputs: model.inputs, outputs: model.getLayer('rescaling_1').output as tf.SymbolicTensor });
    const x = tf.fill([1, 32, 32, 3], 200);
    const y = (probe.predict(x) as tf.Tensor).dataSync();
    for (let c = 0; c < 3; c++) expect(y[c]).toBeCloseTo((200 / 255 - mean[c]) / std[c], 4);
    tf.dispose(x);
    model.dispose();

    const plain = b0.build({ imagenetNormalization: false, includeTop: false, inputShape: [32, 32, 3] });
    expect(plain.layers.map((l) => l.name).slice(0, 4)).toEqual(['input_layer', 'rescaling', 'normalization', 'stem_conv_pad']);
    plain.dispose();
  });

  it('gives drop-connect one draw per sample (noise_shape (None,1,1,1)) and grows the rate with depth', () => {
    const model = b0.build({ includeTop: false, inputShape: [32, 32, 3] });
    const drops = model.layers.filter((l) => l.name.endsWith('_drop'));
    expect(drops.map((l) => l.name)[0]).toBe('block2b_drop');
    const cfg = drops.map((l) => l.getConfig() as { rate: number; noiseShape: (number | null)[] });
    expect(cfg[0].noiseShape).toEqual([null, 1, 1, 1]);
    expect(cfg[0].rate).toBeCloseTo((0.2 * 2) / 16, 10);
    expect(cfg.at(-1)?.rate).toBeCloseTo((0.2 * 14) / 16, 10);
    const x = tf.ones([4, 8, 8, 2]);
    const masked = tf.layers.dropout({ rate: 0.5, noiseShape: cfg[0].noiseShape as number[] }).apply(x, { training: true }) as tf.Tensor;
    const perSample = (masked.reshape([4, -1]).arraySync() as number[][]).map((r) => new Set(r).size);
    expect(perSample).toEqual([1, 1, 1, 1]);
    tf.dispose([x, masked]);
    model.dispose();
  });

  it('runs a finite EfficientNetB0 forward pass on a small input', () => {
    const model = b0.build({ inputShape: [64, 64, 3], classes: 5 });
    const x = tf.randomUniform([2, 64, 64, 3], 0, 255);
    const y = model.predict(x) as tf.Tensor;
    try {
      expect(y.shape).toEqual([2, 5]);
      const v = y.dataSync();
      expect(v.every(Number.isFinite)).toBe(true);
      expect(v[0] + v[1] + v[2] + v[3] + v[4]).toBeCloseTo(1, 4);
      expect(model.getLayer(b0.featureLayer).outputShape).toEqual([null, 2, 2, 1280]);
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  });
});
