// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Normalization } from './normalization';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function model(): tf.LayersModel {
  const x = tf.input({ shape: [1, 2, 3] });
  const y = new Normalization({ axis: 3, name: 'normalization' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

describe('Normalization', () => {
  it('holds mean, variance and a scalar count, all non-trainable, in Keras order', () => {
    const m = model();
    const w = m.getLayer('normalization').weights;
    expect(w.map((v) => [v.originalName, v.shape, v.trainable])).toEqual([
      ['normalization/mean', [3], false],
      ['normalization/variance', [3], false],
      ['normalization/count', [], false],
    ]);
    m.dispose();
  });

  it('computes (x - mean) / sqrt(variance) per channel with the ImageNet statistics', () => {
    const m = model();
    m.getLayer('normalization').setWeights([tf.tensor1d([0.485, 0.456, 0.406]), tf.tensor1d([0.229 ** 2, 0.224 ** 2, 0.225 ** 2]), tf.scalar(0)]);
    const x = tf.tensor4d([0.485, 0.456, 0.406, 1, 0, 0.5], [1, 1, 2, 3]);
    const y = Array.from((m.predict(x) as tf.Tensor).dataSync());
    const want = [0, 0, 0, (1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.5 - 0.406) / 0.225];
    y.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    x.dispose();
    m.dispose();
  });

  it('survives a serialize -> deserialize round trip with its weights', async () => {
    const m = model();
    m.getLayer('normalization').setWeights([tf.tensor1d([1, 2, 3]), tf.tensor1d([4, 16, 64]), tf.scalar(7)]);
    const json = m.toJSON(null, false) as { config: { layers: { class_name: string; config: { axis?: number } }[] } };
    expect(json.config.layers.find((l) => l.class_name === 'Normalization')?.config.axis).toBe(3);
    const back = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON);
    back.setWeights(m.getWeights());
    expect(back.getLayer('normalization')).toBeInstanceOf(Normalization);
    const x = tf.fill([1, 1, 2, 3], 9);
    const y = Array.from((back.predict(x) as tf.Tensor).dataSync());
    expect(y).toEqual([4, 1.75, 0.75, 4, 1.75, 0.75]);
    expect(back.getLayer('normalization').getWeights()[2].dataSync()[0]).toBe(7);
    x.dispose();
    m.dispose();
    back.dispose();
  });
});
