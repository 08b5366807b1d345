// SPDX-License-Identifier: MIT
// Transfer learning for real: the zoo's MobileNetV2 with the nsfwjs weights bundled with the app,
// frozen (BN in inference mode), a new head trained on coloured shapes on the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { shapesData } from '../../../test/fixtures/synthetic';
import { trainModel } from './train-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('transfer learning', () => {
  it('transfers: frozen MobileNetV2 with the bundled nsfwjs weights at 48 px learns shapes in two epochs', async () => {
    const data = shapesData({ train: 60, val: 30, test: 30, size: 48, batch: 15, seed: 8, scale: 'raw' });
    const r = await trainModel({ backbone: 'mobilenetv2', weights: 'nsfwjs', imageSize: 48, epochs: 2, lr: 1e-2, seed: 2, head: { dropout: 0.1 } }, data);
    expect(r.history.map((e) => e.phase)).toEqual([1, 1]);
    // Chance is 1/3; random frozen features stay near it (the first test needs full training).
    expect(r.evaluation?.accuracy).toBeGreaterThan(0.7);
    r.model.dispose();
  });
});
