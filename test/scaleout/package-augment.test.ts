// SPDX-License-Identifier: MIT
// train.py's augmentation against the app's (src/engine/data/augment.ts), transform by transform
// on the same pixels: rotation in every fill mode, crop-and-resize, contrast, flips. The random
// draws come from different generators; for a given draw the images must agree.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adjustBrightness, adjustContrast, flipHorizontal, flipVertical, rotate } from '../../src/engine/data/augment';
import { resizeHwc } from '../../src/engine/data/resize';
import { pythonMissing, REPO_ROOT, runPython } from '../python';

const N = 12;
const input = Float32Array.from({ length: N * N * 3 }, (_, i) => (i * 37 + ((i * i) % 11)) % 256);
const img = { data: input, width: N, height: N };

describe.skipIf(pythonMissing())("train.py augmentation = the app's", () => {
  it('rotates, crops and resizes, flips and adjusts contrast and brightness to within 1e-3 of 0..255', () => {
    const cases: Record<string, { op: string; args: (number | string)[]; app: Float32Array }> = {};
    for (const deg of [90, 30, -12]) {
      for (const fill of ['reflect', 'constant', 'nearest'] as const) cases[`rotate ${deg} ${fill}`] = { op: 'rotate', args: [deg, fill], app: rotate(img, deg, fill).data as Float32Array };
    }
    cases['crop 2,3 9x7'] = { op: 'crop', args: [2, 3, 9, 7], app: Float32Array.from(resizeHwc(input, N, N, 3, N, N, 'bilinear', { x: 2, y: 3, width: 9, height: 7 })) };
    cases['contrast 1.3'] = { op: 'contrast', args: [1.3], app: adjustContrast(img, 1.3).data as Float32Array };
    cases['contrast 0.8'] = { op: 'contrast', args: [0.8], app: adjustContrast(img, 0.8).data as Float32Array };
    cases['brightness 20'] = { op: 'brightness', args: [20], app: adjustBrightness(img, 20).data as Float32Array };
    cases['flip lr'] = { op: 'fliplr', args: [], app: flipHorizontal(img).data as Float32Array };
    cases['flip ud'] = { op: 'flipud', args: [], app: flipVertical(img).data as Float32Array };
    const out = runPython(
      `import sys, json, numpy as np
sys.path.insert(0, sys.argv[1]); argv, sys.argv = sys.argv, ['train.py']
import tensorflow as tf, train
n = int(argv[2]); cases = json.loads(argv[4])
img = tf.constant(np.array(json.loads(argv[3]), np.float32).reshape(n, n, 3))
def run(op, a):
    if op == 'rotate': return train.rotate(img, n, tf.constant(float(a[0])), a[1])
    if op == 'crop': return train.crop_resize(img, n, *a)
    if op == 'contrast': return tf.clip_by_value(tf.image.adjust_contrast(img, a[0]), 0.0, 255.0)
    if op == 'brightness': return tf.clip_by_value(img + a[0], 0.0, 255.0)
    if op == 'fliplr': return tf.image.flip_left_right(img)
    if op == 'flipud': return tf.image.flip_up_down(img)
print(json.dumps({k: run(c['op'], c['args']).numpy().ravel().tolist() for k, c in cases.items()}))`,
      [path.join(REPO_ROOT, 'resources', 'package'), String(N), JSON.stringify(Array.from(input)), JSON.stringify(Object.fromEntries(Object.entries(cases).map(([k, c]) => [k, { op: c.op, args: c.args }])))],
      // Importing train.py must not leave a __pycache__ in resources/ (it ships with the app).
      { env: { PYTHONDONTWRITEBYTECODE: '1' } },
    );
    const py = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number[]>;
    const diffs = Object.fromEntries(Object.entries(cases).map(([k, c]) => [k, c.app.reduce((m, v, i) => Math.max(m, Math.abs(v - py[k][i])), 0)]));
    for (const [k, d] of Object.entries(diffs)) expect(d, k).toBeLessThan(1e-3);
    // The cases are not trivial: each changes the image.
    for (const [k, c] of Object.entries(cases)) expect(c.app.some((v, i) => Math.abs(v - input[i]) > 1), k).toBe(true);
  }, 120_000);
});
