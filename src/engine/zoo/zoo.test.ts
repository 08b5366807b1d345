// SPDX-License-Identifier: MIT
// Registry-driven checks (as Keras's applications_test MODEL_LIST and timm's list_models tests):
// every Keras model in the zoo gets them for free when its family is listed in families/index.ts.
// Cost: building is all weight initialisation (~30 ns per parameter on the cpu backend). With the
// 26 Keras models this file took 58 s of CPU (user) time on the 2-core dev machine; VGG16/19
// (138M/144M parameters, ~4 s each) and the ResNet*152 builds are the largest shares.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParams, diffAgainstManifest, loadManifest } from './keras-reference';
import { createModel, listModels } from './registry';
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
    const model = spec.build();
    try {
      expect(diffAgainstManifest(model, loadManifest(spec.name))).toEqual([]);
      // Every layer has a freezing block (null joins the block before it, so the first must be
      // named). Blocks may resume later: NASNet cells read the two cells before them.
      let current: string | null = null;
      for (const layer of model.layers.slice(1)) {
        current = spec.blockOf(layer.name) ?? current;
        expect(current, `blockOf(${layer.name})`).not.toBeNull();
      }
      expect(spec.blockOf(model.layers[model.layers.length - 1].name)).toBe('top');
    } finally {
      model.dispose();
    }
  });

  it('has the notop parameter count and feature dim at the default size', () => {
    // Global pooling has no weights, so this counts what Keras's notop weight file holds.
    const notop = spec.build({ includeTop: false, pooling: 'avg' });
    try {
      expect(countParams(notop).total).toBe(spec.params.notop);
      expect(notop.outputs[0].shape).toEqual([null, featureDim(spec)]);
      expect(notop.layers[notop.layers.length - 2].name).toBe(spec.featureLayer);
    } finally {
      notop.dispose();
    }
  });
});

// Building costs the same at any input size (the time goes into initialising the weights,
// ~30 ns per parameter on the cpu backend), so the small-input check runs once per family, on
// its smallest variant: the variants share the family's shape code and differ only in counts.
const families = [...new Set(kerasModels.map((s) => s.family))].map(
  (family) => kerasModels.filter((s) => s.family === family).sort((a, b) => a.params.notop - b.params.notop)[0],
);

describe.each(families.map((s) => [s.family, s] as const))('%s family at a small input', (_family, spec) => {
  it(`builds without the top at max(64, min size) and pools to the feature dim`, () => {
    const size = Math.max(64, spec.minInputSize);
    const small = createModel(spec.id, { includeTop: false, pooling: 'avg', inputShape: [size, size, 3] });
    try {
      expect(small.outputs[0].shape).toEqual([null, featureDim(spec)]);
    } finally {
      small.dispose();
    }
  });
});

describe('builder options', () => {
  it('refuses a top on VGG at another size (its Flatten fixes the classifier to 224x224)', () => {
    expect(() => createModel('vgg16', { inputShape: [160, 160, 3] })).toThrowError(/includeTop the input must be 224x224.*Received: \[160,160,3\]/);
    expect(() => createModel('resnet50', { inputShape: [16, 16, 3] })).toThrowError(/at least 32x32/);
  });

  it("pools with max when asked, under Keras's name, and leaves a 4D map with no pooling", () => {
    const pooled = createModel('resnet50v2', { includeTop: false, pooling: 'max', inputShape: [32, 32, 3] });
    const map = createModel('densenet121', { includeTop: false, inputShape: [64, 64, 3] });
    try {
      expect(pooled.layers[pooled.layers.length - 1].name).toBe('max_pool');
      expect(pooled.outputs[0].shape).toEqual([null, 2048]);
      expect(map.outputs[0].shape).toEqual([null, 2, 2, 1024]);
    } finally {
      pooled.dispose();
      map.dispose();
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
    createModel('mobilenetv2', { includeTop: false, inputShape: [64, 64, 3] }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
