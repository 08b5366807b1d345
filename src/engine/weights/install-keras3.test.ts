// SPDX-License-Identifier: MIT
// `weights import` of a Keras 3 `.weights.h5` for a zoo backbone, with a file real Keras wrote
// (keras.applications.MobileNetV2(weights=None).save_weights): it loads completely, lands beside the
// Keras cache under the model's name and hash, and reads back with the same numbers Keras saved.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonMissing, runPython } from '../../../test/python';
import { getModelSpec } from '../zoo/registry';
import { importH5Weights } from './h5-import';
import { installWeightsFile, KERAS3_SUBDIR } from './install';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-keras3-install-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const sum = (m: tf.LayersModel, layer: string) => (m.getLayer(layer).getWeights()[0].dataSync() as Float32Array).reduce((a, b) => a + b, 0);

describe.skipIf(pythonMissing())('weights import: Keras 3 .weights.h5', () => {
  it('installs a MobileNetV2 notop file Keras wrote and it reads back as Keras saved it', async () => {
    const file = path.join(tmp, 'mnv2.weights.h5');
    const out = runPython(
      `import sys, keras
keras.utils.set_random_seed(3)
m = keras.applications.MobileNetV2(weights=None, include_top=False)
m.save_weights(sys.argv[1])
print(float(m.get_layer('Conv1').kernel.numpy().sum()), float(m.get_layer('block_16_project').kernel.numpy().sum()))`,
      [file],
    );
    const [conv1, project] = out.trim().split('\n').at(-1)!.split(' ').map(Number);
    const cacheDir = path.join(tmp, 'cache');
    const r = await installWeightsFile('MobileNetV2', file, undefined, { cacheDir });
    expect(r).toMatchObject({ kerasName: 'MobileNetV2', variant: 'notop', format: 'keras-v3-weights', replaced: false });
    expect(path.dirname(r.path)).toBe(path.join(cacheDir, KERAS3_SUBDIR));
    expect(path.basename(r.path)).toMatch(/^mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1\.0_224_no_top\.[0-9a-f]{12}\.weights\.h5$/);
    expect(r.weightsLoaded).toBe(260);
    const model = getModelSpec('mobilenetv2').build({ includeTop: false });
    try {
      const back = await importH5Weights(model, r.path);
      expect(back.missing).toEqual([]);
      expect(Math.abs(sum(model, 'Conv1') - conv1)).toBeLessThan(1e-3);
      expect(Math.abs(sum(model, 'block_16_project') - project)).toBeLessThan(1e-2);
    } finally {
      model.dispose();
    }
    // Another model's file is refused, naming the file and the missing layer.
    await expect(installWeightsFile('ResNet50', file, undefined, { cacheDir })).rejects.toMatchObject({ code: 'WEIGHTS_MISMATCH' });
  }, 180_000);
});
