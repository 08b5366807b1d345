// SPDX-License-Identifier: MIT
import { afterAll, describe, expect, it } from 'vitest';
import { attachHead } from '../train/head';
import { createModel } from '../zoo/registry';
import { packageReadme, recipeFrom, trainScript } from './train-script';

const model = attachHead(createModel('MobileNetV2', { includeTop: false, inputShape: [32, 32, 3], alpha: 0.35 }), { numClasses: 2, seed: 1 });
afterAll(() => model.dispose());
const o = { model, backbone: 'mobilenetv2', weights: 'imagenet', inputSize: 32 };

describe('recipeFrom', () => {
  it('resolves a run record ({...request, resolved, augment}) into both phases, blocks and options', () => {
    const r = recipeFrom(
      {
        epochs: 9,
        augment: { flipHorizontal: true, rotation: 5 },
        resolved: { epochs: 6, lr: 0.01, batch: 16, seed: 7, optimizer: 'sgd', momentum: 0.8, labelSmoothing: 0.1, classWeights: 'balanced', patience: 2, schedule: 'cosine', warmupEpochs: 1, freezeUntil: 'block_3', fineTune: { blocks: 4, epochs: 3, lr: 0.002 }, weights: 'imagenet' },
      },
      o,
    );
    expect(r.phases).toEqual([{ phase: 1, epochs: 6, lr: 0.01 }, { phase: 2, epochs: 3, lr: 0.002 }]);
    expect(r).toMatchObject({ batch: 16, seed: 7, optimizer: 'sgd', momentum: 0.8, labelSmoothing: 0.1, classWeights: 'balanced', patience: 2, freezeUntil: 'block_3', fineTuneBlocks: 4, bnInference: true, augment: { flipHorizontal: true, rotation: 5 } });
    expect(r.schedule).toEqual({ name: 'cosine', warmupEpochs: 1, stepEvery: 10, stepGamma: 0.1 });
    expect(r.blocks.map((b) => b.name)).toEqual(['stem', ...Array.from({ length: 17 }, (_, i) => `block_${i}`), 'conv_1']);
    // Every backbone layer in exactly one block, no head layer in any.
    const inBlocks = r.blocks.flatMap((b) => b.layers);
    expect(new Set(inBlocks).size).toBe(inBlocks.length);
    expect(inBlocks.sort()).toEqual(model.layers.map((l) => l.name).filter((n) => !n.startsWith('head_')).sort());
  });

  it('defaults as train.start does: augmentation on, no phase 2, freeze all; augment false or null turns it off', () => {
    const r = recipeFrom({ epochs: 4 }, { ...o, weights: 'none' });
    expect(r.phases).toEqual([{ phase: 1, epochs: 4, lr: 0.001 }, { phase: 2, epochs: 0, lr: 0.0001 }]);
    expect(r).toMatchObject({ freezeUntil: 'all', classWeights: null, bnInference: false, augment: { flipHorizontal: true } });
    expect(recipeFrom({ epochs: 4, augment: null }, o).augment).toBeNull();
    expect(recipeFrom({ epochs: 4, augment: false }, o).augment).toBeNull();
    // A freeze boundary the model does not have falls back to the whole backbone.
    expect(recipeFrom({ freezeUntil: 'conv5_block3' }, o).freezeUntil).toBe('all');
  });
});

describe('train.py and the package README', () => {
  it('ships the script verbatim and a README with N machines, BackupAndRestore and a TFJob', () => {
    const script = trainScript();
    expect(script.startsWith('#!/usr/bin/env python3\n# SPDX-License-Identifier: MIT')).toBe(true);
    expect(script).toContain('tf.distribute.MultiWorkerMirroredStrategy()');
    const readme = packageReadme({ modelName: 'mobilenetv2', labels: ['a', 'b'], counts: { train: 8 }, recipe: recipeFrom({ epochs: 2 }, o), datasetRoot: '/data/pets' });
    expect(readme).toContain('python train.py --data-root /data/pets');
    expect(readme).toContain('kind: TFJob');
    expect(readme).toContain('restartPolicy: OnFailure');
    expect(readme).toContain('transfer-studio runs import output');
  });
});
