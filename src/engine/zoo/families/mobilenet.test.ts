// SPDX-License-Identifier: MIT
// The width and resolution knobs of MobileNet and MobileNetV2, checked against Keras's arithmetic.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { specs as v1 } from './mobilenet';
import { makeDivisible, specs as v2 } from './mobilenet-v2';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const kernelShape = (m: tf.LayersModel, layer: string) => m.getLayer(layer).getWeights()[0].shape;

describe('MobileNetV2 alpha', () => {
  it('rounds channels as Keras _make_divisible does', () => {
    expect([makeDivisible(32 * 0.35), makeDivisible(32 * 1.4), makeDivisible(1280 * 1.3), makeDivisible(16 * 0.35)]).toEqual([16, 48, 1664, 8]);
    // Never more than 10% below the request: 10 rounds to 8 (20% off), so it steps up to 16.
    expect(makeDivisible(10, 8)).toBe(16);
  });

  it('thins every block at 0.35 but keeps the 1280 features; widens them at 1.4', () => {
    const thin = v2[0].build({ alpha: 0.35, includeTop: false, inputShape: [96, 96, 3] });
    const wide = v2[0].build({ alpha: 1.4, includeTop: false, inputShape: [96, 96, 3] });
    try {
      expect(thin.name).toBe('mobilenetv2_0.35_96');
      expect(kernelShape(thin, 'Conv1')).toEqual([3, 3, 3, 16]);
      expect(kernelShape(thin, 'block_16_project')).toEqual([1, 1, 6 * 56, 112]);
      expect(thin.outputs[0].shape).toEqual([null, 3, 3, 1280]);
      expect(kernelShape(wide, 'Conv1')).toEqual([3, 3, 3, 48]);
      expect(wide.outputs[0].shape).toEqual([null, 3, 3, 1792]);
    } finally {
      thin.dispose();
      wide.dispose();
    }
  });

  it('pads odd sizes symmetrically before stride-2 depthwise convs (Keras correct_pad)', () => {
    const m = v2[0].build({ includeTop: false, inputShape: [65, 65, 3] });
    try {
      expect(m.getLayer('block_1_pad').outputShape).toEqual([null, 35, 35, 96]); // 33 + 1 + 1
      expect(m.outputs[0].shape).toEqual([null, 3, 3, 1280]);
    } finally {
      m.dispose();
    }
  });

  it('rejects a non-positive alpha, echoing it', () => {
    expect(() => v2[0].build({ alpha: 0 })).toThrowError(/alpha must be a positive number\. Received: 0/);
  });
});

describe('MobileNet alpha and depthMultiplier', () => {
  it('scales the pointwise filters by alpha and the depthwise channels by depthMultiplier', () => {
    const m = v1[0].build({ alpha: 0.25, depthMultiplier: 2, includeTop: false, inputShape: [64, 64, 3] });
    try {
      expect(m.name).toBe('mobilenet_0.25_64');
      expect(kernelShape(m, 'conv1')).toEqual([3, 3, 3, 8]);
      expect(kernelShape(m, 'conv_dw_1')).toEqual([3, 3, 8, 2]);
      expect(kernelShape(m, 'conv_pw_1')).toEqual([1, 1, 16, 16]);
      expect(m.outputs[0].shape).toEqual([null, 2, 2, 256]);
    } finally {
      m.dispose();
    }
  });

  it('classifies with a 1x1 conv on a kept 1x1 map, honouring classes, dropout and a null activation', () => {
    const m = v1[0].build({ alpha: 0.25, inputShape: [64, 64, 3], classes: 7, dropout: 0.2, classifierActivation: null });
    try {
      expect(m.getLayer('global_average_pooling2d').outputShape).toEqual([null, 1, 1, 256]);
      expect(kernelShape(m, 'conv_preds')).toEqual([1, 1, 256, 7]);
      expect((m.getLayer('dropout').getConfig() as { rate: number }).rate).toBe(0.2);
      const x = tf.ones([1, 64, 64, 3]);
      const y = m.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, 7]);
      // Linear logits: not a probability row.
      expect(Math.abs(y.sum().dataSync()[0] - 1)).toBeGreaterThan(1e-3);
      tf.dispose([x, y]);
    } finally {
      m.dispose();
    }
  });

  it('rejects a fractional depthMultiplier with INVALID_ARGUMENT', () => {
    try {
      v1[0].build({ depthMultiplier: 1.5 });
      expect.unreachable();
    } catch (e) {
      expect(AppError.is(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toContain('Received: 1.5');
    }
  });
});
