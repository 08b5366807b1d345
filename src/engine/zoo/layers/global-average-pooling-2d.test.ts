// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GlobalAveragePooling2D } from './global-average-pooling-2d';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function model(keepdims: boolean, dataFormat?: 'channelsFirst'): tf.LayersModel {
  const x = tf.input({ shape: [2, 2, 3] });
  const y = new GlobalAveragePooling2D({ keepdims, dataFormat, name: 'gap' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

// Channel c holds c*10 + (0, 1, 2, 3) over the 2x2 map: the channel means are 1.5, 11.5, 21.5.
const input = () => tf.tensor4d([0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23], [1, 2, 2, 3]);

describe('GlobalAveragePooling2D', () => {
  it('keeps a 1x1 map with keepdims and averages each channel', () => {
    const m = model(true);
    expect(m.outputs[0].shape).toEqual([null, 1, 1, 3]);
    const x = input();
    const y = m.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1, 1, 3]);
    expect(Array.from(y.dataSync())).toEqual([1.5, 11.5, 21.5]);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('drops the spatial axes without keepdims, as tfjs does, and pools channelsFirst on axes 2 and 3', () => {
    const m = model(false);
    expect(m.outputs[0].shape).toEqual([null, 3]);
    const x = input();
    const y = m.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1.5, 11.5, 21.5]);
    const cf = model(false, 'channelsFirst');
    expect(cf.outputs[0].shape).toEqual([null, 2]);
    tf.dispose([x, y]);
    m.dispose();
    cf.dispose();
  });

  it('survives a serialize -> deserialize round trip under Keras class name and keepdims', async () => {
    const m = model(true);
    const json = m.toJSON(null, false) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const layer = json.config.layers.find((l) => l.class_name === 'GlobalAveragePooling2D');
    expect(layer?.config.keepdims).toBe(true);
    const back = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON);
    expect(back.getLayer('gap')).toBeInstanceOf(GlobalAveragePooling2D);
    expect(back.outputs[0].shape).toEqual([null, 1, 1, 3]);
    const x = input();
    const y = back.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1.5, 11.5, 21.5]);
    tf.dispose([x, y]);
    m.dispose();
    back.dispose();
  });

  it('still loads the tfjs layer config (no keepdims, pythonic data_format)', async () => {
    const x = tf.input({ shape: [2, 2, 3] });
    const y = tf.layers.globalAveragePooling2d({ name: 'tfjs_gap' }).apply(x) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: y });
    const back = await tf.models.modelFromJSON(m.toJSON(null, false) as unknown as tf.io.ModelJSON);
    expect(back.getLayer('tfjs_gap')).toBeInstanceOf(GlobalAveragePooling2D);
    expect(back.outputs[0].shape).toEqual([null, 3]);
    m.dispose();
    back.dispose();
  });
});
