// SPDX-License-Identifier: MIT
// Registry-driven checks (as Keras's applications_test MODEL_LIST and timm's list_models tests):
// every Keras model in the zoo gets them for free when its family is listed in families/index.ts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParams, diffAgainstManifest, loadManifest } from './keras-reference';
import { buildModel, listModels } from './registry';
import type { ModelSpec } from './types';

const kerasModels = listModels((s) => s.kind === 'keras');

/** Channels of the last feature layer, as Keras's own model has them at the default size. */
function featureDim(spec: ModelSpec): number {
  const layer = loadManifest(spec.name).layers.find((l) => l.name === spec.featureLayer);
  if (!layer) throw new Error(`${spec.name}: featureLayer ${spec.featureLayer} is not in the Keras manifest`);
  return layer.output_shape[layer.output_shape.length - 1] as number;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('zoo registry', () => {
  it('lists the Keras models with their Keras names and ids', () => {
    expect(kerasModels.length).toBeGreaterThan(0);
    for (const s of kerasModels) {
      expect(s.id).toBe(s.name.toLowerCase());
      expect(s.story.length).toBeGreaterThan(80);
      expect(s.params.top).toBe(loadManifest(s.name).total_params);
    }
  });
});

describe.each(kerasModels.map((s) => [s.name, s] as const))('%s', (_name, spec) => {
  it('matches the Keras manifest exactly with includeTop at the default size', () => {
    const t0 = performance.now();
    const model = spec.build();
    const ms = performance.now() - t0;
    try {
      expect(diffAgainstManifest(model, loadManifest(spec.name))).toEqual([]);
      // Freezing walks blocks in layer order, so each block must be one contiguous run.
      const seen = new Set<string>();
      let current: string | null = null;
      for (const layer of model.layers.slice(1)) {
        const block: string | null = spec.blockOf(layer.name) ?? current;
        expect(block, `blockOf(${layer.name})`).not.toBeNull();
        if (block !== current) {
          expect(seen.has(block as string), `block ${block} resumes at ${layer.name}`).toBe(false);
          seen.add(block as string);
          current = block;
        }
      }
      expect(spec.blockOf(model.layers[model.layers.length - 1].name)).toBe('top');
    } finally {
      model.dispose();
    }
    expect(ms).toBeGreaterThan(0);
  });

  it('has the notop parameter count at the default size and pools to the feature dim at a small size', () => {
    const notop = spec.build({ includeTop: false });
    try {
      expect(countParams(notop).total).toBe(spec.params.notop);
      expect(notop.getLayer(spec.featureLayer).outputShape).toEqual(notop.outputs[0].shape);
    } finally {
      notop.dispose();
    }
    const size = Math.max(64, spec.minInputSize);
    const small = buildModel(spec.id, { includeTop: false, pooling: 'avg', inputShape: [size, size, 3] });
    try {
      expect(small.outputs[0].shape).toEqual([null, featureDim(spec)]);
    } finally {
      small.dispose();
    }
  });
});

describe('forward pass on the cpu backend', () => {
  it.each(['MobileNetV2', 'ResNet50'])('%s gives finite softmax rows at 64x64', (name) => {
    const spec = kerasModels.find((s) => s.name === name);
    if (!spec) throw new Error(`${name} is not in the zoo`);
    const model = spec.build({ inputShape: [64, 64, 3], classes: 10 });
    try {
      const probs = tf.tidy(() => {
        const x = tf.randomUniform([2, 64, 64, 3], -1, 1, 'float32', 7);
        return model.predict(x) as tf.Tensor;
      });
      expect(probs.shape).toEqual([2, 10]);
      const values = probs.dataSync();
      expect(values.every(Number.isFinite)).toBe(true);
      const sums = tf.tidy(() => probs.sum(1).dataSync());
      for (const s of sums) expect(s).toBeCloseTo(1, 5);
      probs.dispose();
    } finally {
      model.dispose();
    }
  });

  it('does not leak tensors across builds', () => {
    const before = tf.memory().numTensors;
    buildModel('mobilenetv2', { includeTop: false, inputShape: [64, 64, 3] }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
