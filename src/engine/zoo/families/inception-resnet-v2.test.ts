// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffAgainstManifest, loadManifest } from '../keras-reference';
import { CustomScaleLayer } from '../layers/custom-scale-layer';
import { specs } from './inception-resnet-v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('inception-resnet-v2 family', () => {
  it('matches the Keras InceptionResNetV2 manifest layer for layer, and maps every layer to a block', () => {
    const spec = specs[0];
    const model = spec.build();
    try {
      expect(diffAgainstManifest(model, loadManifest('InceptionResNetV2'))).toEqual([]);
      expect(model.getLayer(spec.featureLayer).outputShape).toEqual([null, 8, 8, 1536]);
      const scales = model.layers.filter((l) => l instanceof CustomScaleLayer).map((l) => (l as CustomScaleLayer).scale);
      expect(scales).toHaveLength(40);
      expect(scales.at(-1)).toBe(1);

      const names = loadManifest('InceptionResNetV2').layers.map((l) => l.name);
      expect(names.filter((nm) => spec.blockOf(nm) === null)).toEqual([]);
      const blocks = [...new Set(names.map((nm) => spec.blockOf(nm)))];
      expect(blocks).toHaveLength(1 + 1 + 10 + 1 + 20 + 1 + 10 + 1 + 1);
      expect(blocks.slice(0, 3)).toEqual(['stem', 'mixed_5b', 'block35_1']);
      expect(blocks.slice(-3)).toEqual(['block8_10', 'conv_7b', 'top']);
      expect(spec.blockOf('custom_scale_layer')).toBe('block35_1');
      expect(spec.blockOf('conv2d_12')).toBe('block35_1');
    } finally {
      model.dispose();
    }
  });
});
