// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CustomScaleLayer } from './custom-scale-layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function twoInputModel(scale: number): tf.LayersModel {
  const a = tf.input({ shape: [2, 2, 3], name: 'a' });
  const b = tf.input({ shape: [2, 2, 3], name: 'b' });
  const y = new CustomScaleLayer({ scale, name: 'custom_scale_layer' }).apply([a, b]) as tf.SymbolicTensor;
  return tf.model({ inputs: [a, b], outputs: y });
}

describe('CustomScaleLayer', () => {
  it('computes shortcut + residual * scale', () => {
    const m = twoInputModel(0.17);
    const a = tf.tensor4d([1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12], [1, 2, 2, 3]);
    const b = tf.fill([1, 2, 2, 3], 10);
    const y = m.predict([a, b]) as tf.Tensor;
    expect(y.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(y.dataSync())).toEqual(
      [1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12].map((v) => Math.fround(v + Math.fround(10 * 0.17))),
    );
    tf.dispose([a, b, y]);
    m.dispose();
  });

  it('survives a serialize -> deserialize round trip under Keras class name and scale', async () => {
    const m = twoInputModel(0.2);
    const json = m.toJSON(null, false) as { config: { layers: { class_name: string; config: { scale?: number } }[] } };
    const layer = json.config.layers.find((l) => l.class_name === 'CustomScaleLayer');
    expect(layer?.config.scale).toBe(0.2);
    const back = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON);
    expect(back.getLayer('custom_scale_layer')).toBeInstanceOf(CustomScaleLayer);
    const a = tf.ones([1, 2, 2, 3]);
    const b = tf.fill([1, 2, 2, 3], 5);
    const y = back.predict([a, b]) as tf.Tensor;
    expect(y.dataSync()[0]).toBeCloseTo(2, 6);
    tf.dispose([a, b, y]);
    m.dispose();
    back.dispose();
  });
});
