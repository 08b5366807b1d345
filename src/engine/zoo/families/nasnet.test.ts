// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffAgainstManifest, loadManifest } from '../keras-reference';
import { specs } from './nasnet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const [mobile, large] = specs;

describe('nasnet family', () => {
  // Runs first, before any default-size build, so blockOf reads names off its own 32x32 build.
  it('maps every NASNetMobile layer to stem, cell_N, reduce_N or top', () => {
    const names = loadManifest('NASNetMobile').layers.map((l) => l.name);
    expect(names.filter((nm) => mobile.blockOf(nm) === null)).toEqual([]);
    const blocks = [...new Set(names.map((nm) => mobile.blockOf(nm)))];
    expect(blocks).toEqual([
      'stem', 'cell_0', 'cell_1', 'cell_2', 'cell_3', 'reduce_4', 'cell_5', 'cell_6', 'cell_7', 'cell_8',
      'reduce_8', 'cell_9', 'cell_10', 'cell_11', 'cell_12', 'top',
    ]);
    expect(mobile.blockOf('adjust_bn_stem_2')).toBe('stem');
    expect(mobile.blockOf('normal_conv_1_0')).toBe('cell_0');
    // A cell's adjust path works on the output of the cell two back, so Keras lists it among the
    // previous cell's layers; it freezes with that block, keeping every block one run of layers.
    expect(mobile.blockOf('adjust_relu_1_0')).toBe('stem');
    expect(mobile.blockOf('cropping2d_1')).toBe('stem');
    expect(mobile.blockOf('adjust_conv_1_0')).toBe('cell_0');
    const seen = new Set<string>();
    let current: string | null = null;
    for (const nm of names) {
      const b = mobile.blockOf(nm);
      if (b !== current) {
        expect(seen.has(b as string), `${b} resumes at ${nm}`).toBe(false);
        seen.add(b as string);
        current = b;
      }
    }
  });

  // NASNetMobile builds in ~0.6 s, NASNetLarge in ~5 s on the 2-core CPU here.
  it.each([mobile, large].map((s) => [s.name, s] as const))('%s matches its Keras manifest layer for layer', (name, spec) => {
    const model = spec.build();
    try {
      expect(diffAgainstManifest(model, loadManifest(name))).toEqual([]);
      const layers = model.layers;
      expect(layers[layers.length - 3].name).toBe(spec.featureLayer);
      expect(model.outputs[0].shape).toEqual([null, 1000]);
    } finally {
      model.dispose();
    }
  });

  it('runs a finite NASNetMobile backbone forward pass on a small input', () => {
    const model = mobile.build({ includeTop: false, pooling: 'avg', inputShape: [64, 64, 3] });
    const x = tf.randomUniform([2, 64, 64, 3], -1, 1);
    const y = model.predict(x) as tf.Tensor;
    try {
      expect(y.shape).toEqual([2, 1056]);
      expect(y.dataSync().every(Number.isFinite)).toBe(true);
      expect(model.getLayer(mobile.featureLayer).outputShape).toEqual([null, 2, 2, 1056]);
    } finally {
      tf.dispose([x, y]);
      model.dispose();
    }
  });

  it('needs the default size with the top, as the Keras weights do', () => {
    expect(() => mobile.build({ inputShape: [256, 256, 3] })).toThrow(/224x224.*\[256,256,3\]/);
  });
});
