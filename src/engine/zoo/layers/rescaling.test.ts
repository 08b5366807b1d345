// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rescaling } from './rescaling';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function model(scale: number | number[], offset?: number | number[]): tf.LayersModel {
  const x = tf.input({ shape: [1, 2, 3] });
  const y = new Rescaling({ scale, offset, name: 'rescaling' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

describe('Rescaling (per-channel)', () => {
  it('scales each channel by its own factor and adds the offset', () => {
    const m = model([1, 2, 4], [0, 1, -1]);
    const x = tf.tensor4d([1, 1, 1, 10, 20, 30], [1, 1, 2, 3], 'int32');
    const y = m.predict(x) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.dataSync())).toEqual([1, 3, 3, 10, 41, 119]);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('matches 1/255 for a number, and round-trips through JSON with its array scale', async () => {
    const m = model([0.5, 0.25, 2]);
    const json = m.toJSON(null, false) as { config: { layers: { class_name: string; config: { scale?: unknown } }[] } };
    expect(json.config.layers.find((l) => l.class_name === 'Rescaling')?.config.scale).toEqual([0.5, 0.25, 2]);
    const back = await tf.models.modelFromJSON(json as unknown as tf.io.ModelJSON);
    expect(back.getLayer('rescaling')).toBeInstanceOf(Rescaling);
    const x = tf.fill([1, 1, 2, 3], 8);
    const y = back.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([4, 2, 16, 4, 2, 16]);
    const one = model(1 / 255);
    const z = one.predict(tf.fill([1, 1, 2, 3], 255)) as tf.Tensor;
    expect(z.dataSync()[0]).toBeCloseTo(1, 6);
    tf.dispose([x, y, z]);
    for (const k of [m, back, one]) k.dispose();
  });
});
