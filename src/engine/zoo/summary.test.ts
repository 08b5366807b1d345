// SPDX-License-Identifier: MIT
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyFreeze } from './blocks';
import { specs as lenet } from './families/lenet';
import { specs as resnetClassic } from './families/resnet-classic';
import { getModelSpec } from './registry';
import { formatBytes, formatSummary, summarizeModel, summaryTotals } from './summary';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('summarizeModel', () => {
  it('lists LeNet-5 layer by layer, with Keras shapes, counts and inbound tensors', () => {
    const m = lenet[0].build();
    const rows = summarizeModel(m);
    expect(rows.map((r) => [r.name, r.className, r.outputShape, r.params, r.connectedTo.join(' ')])).toEqual([
      ['input_layer', 'InputLayer', '(None, 32, 32, 1)', 0, ''],
      ['c1', 'Conv2D', '(None, 28, 28, 6)', 156, 'input_layer[0][0]'],
      ['s2', 'AveragePooling2D', '(None, 14, 14, 6)', 0, 'c1[0][0]'],
      ['c3', 'Conv2D', '(None, 10, 10, 16)', 2_416, 's2[0][0]'],
      ['s4', 'AveragePooling2D', '(None, 5, 5, 16)', 0, 'c3[0][0]'],
      ['c5', 'Conv2D', '(None, 1, 1, 120)', 48_120, 's4[0][0]'],
      ['flatten', 'Flatten', '(None, 120)', 0, 'c5[0][0]'],
      ['f6', 'Dense', '(None, 84)', 10_164, 'flatten[0][0]'],
      ['predictions', 'Dense', '(None, 10)', 850, 'f6[0][0]'],
    ]);
    const text = formatSummary(rows, m.name);
    expect(text.split('\n')[0]).toBe('Model: "lenet5"');
    expect(text).toMatch(/^c3 \(Conv2D\) +\(None, 10, 10, 16\) +2,416 +s2\[0\]\[0\]$/m);
    expect(text).toContain('Total params: 61,706 (241.04 KB)');
    expect(text).toContain('Trainable params: 61,706 (241.04 KB)');
    expect(text).toContain('Non-trainable params: 0 (0.00 B)');
    m.dispose();
  });

  it('shows ResNet18 residual joins and the BN statistics as non-trainable', () => {
    const s = resnetClassic[0];
    const m = s.build({ inputShape: [64, 64, 3], classes: 10 });
    const rows = summarizeModel(m);
    expect(rows.find((r) => r.name === 'layer1_block0_add')!.connectedTo).toEqual(['layer1_block0_bn2[0][0]', 'maxpool[0][0]']);
    expect(rows.find((r) => r.name === 'layer4_block1_relu2')!.outputShape).toBe('(None, 2, 2, 512)');
    expect(summaryTotals(rows)).toEqual({ total: 11_176_512 + 9_600 + 5_130, trainable: 11_176_512 + 5_130, nonTrainable: 9_600 });
    // Freezing moves the frozen weights into the non-trainable total, as Keras's summary does.
    applyFreeze(m, s, 'layer4_block0');
    const frozen = summaryTotals(summarizeModel(m));
    expect(frozen.trainable).toBe(2 * 9 * 512 * 512 + 2 * 1024 + 5_130);
    m.dispose();
  });

  it('gives Keras ResNet50 totals identical to Keras model.summary()', () => {
    const m = getModelSpec('resnet50').build();
    const text = formatSummary(summarizeModel(m), m.name);
    // Keras: Total params: 25,636,712 (97.80 MB), Trainable: 25,583,592 (97.59 MB), Non-trainable: 53,120 (207.50 KB)
    expect(text).toContain('Total params: 25,636,712 (97.80 MB)');
    expect(text).toContain('Trainable params: 25,583,592 (97.59 MB)');
    expect(text).toContain('Non-trainable params: 53,120 (207.50 KB)');
    expect(text).toMatch(/^conv2_block1_add \(Add\) .*conv2_block1_0_bn\[0\]\[0\], conv2_block1_3_bn\[0\]\[0\]$/m);
    m.dispose();
  });

  it('formats sizes as Keras 3 does', () => {
    expect(formatBytes(0)).toBe('0.00 B');
    expect(formatBytes(256)).toBe('1.00 KB');
    expect(formatBytes(61_706)).toBe('241.04 KB');
  });
});
