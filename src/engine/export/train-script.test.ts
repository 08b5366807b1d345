// SPDX-License-Identifier: MIT
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { attachHead } from '../train/head';
import { createModel } from '../zoo/registry';
import { packageReadme, recipeFrom, tfjobName, trainScript } from './train-script';

// js-yaml (a dev dependency) ships no types; load is all this test needs.
const { load: loadYaml } = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

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

/** The fenced yaml block of the README, parsed by a YAML parser (as kubectl would read it). */
function tfjob(modelName: string): Record<string, unknown> {
  const readme = packageReadme({ modelName, labels: ['a', 'b'], counts: { train: 8 }, recipe: recipeFrom({ epochs: 2 }, o) });
  const block = /```yaml\n([\s\S]*?)\n```/.exec(readme)?.[1];
  if (!block) throw new Error('the README has no yaml block');
  return loadYaml(block) as Record<string, unknown>;
}

describe('the README TFJob manifest', () => {
  // What the Kubeflow training operator's TFJob webhook checks (kubeflow.org/v1): a DNS-1035 name,
  // tfReplicaSpecs of known replica types, each with containers that have an image and one named
  // "tensorflow" (the container it configures), at most one Chief/Master; restart policies it knows.
  it('parses as YAML and has every field the training operator validates', () => {
    const job = tfjob('mobilenetv2') as { apiVersion: string; kind: string; metadata: { name: string }; spec: { tfReplicaSpecs: Record<string, Replica> } };
    expect(job.apiVersion).toBe('kubeflow.org/v1');
    expect(job.kind).toBe('TFJob');
    expect(job.metadata.name).toBe('mobilenetv2-train');
    const specs = Object.entries(job.spec.tfReplicaSpecs);
    expect(specs.length).toBeGreaterThan(0);
    for (const [type, r] of specs) {
      expect(['Chief', 'Master', 'Worker', 'PS', 'Evaluator']).toContain(type);
      expect(Number.isInteger(r.replicas) && r.replicas >= 1).toBe(true);
      expect(['Always', 'OnFailure', 'Never', 'ExitCode']).toContain(r.restartPolicy);
      const { containers, volumes = [] } = r.template.spec;
      expect(containers.length).toBeGreaterThan(0);
      for (const c of containers) expect(c.image).toMatch(/\S/);
      const tf = containers.find((c) => c.name === 'tensorflow');
      expect(tf, `${type} has a container named tensorflow`).toBeDefined();
      // The command runs the package's train.py with flags train.py defines.
      expect(tf!.command.slice(0, 2)).toEqual(['python', '/package/train.py']);
      const flags = new Set([...trainScript().matchAll(/add_argument\("(--[a-z-]+)"/g)].map((m) => m[1]));
      for (const a of tf!.command.filter((a) => a.startsWith('--'))) expect(flags, a).toContain(a);
      // Every mount names a volume of the pod.
      for (const m of tf!.volumeMounts) expect(volumes.map((v) => v.name)).toContain(m.name);
    }
    expect(specs.filter(([t]) => t === 'Chief' || t === 'Master').length).toBeLessThanOrEqual(1);
  });

  it('names the job with a DNS-1035 label whatever the model is called', () => {
    const dns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
    for (const name of ['My Model (v2)', '2024_pets', '__x__', 'Ünïcode Ñame', 'a'.repeat(100), '---', '']) {
      const got = (tfjob(name) as { metadata: { name: string } }).metadata.name;
      expect(got, name).toMatch(dns1035);
      expect(got.length, name).toBeLessThanOrEqual(63);
    }
    expect(tfjobName('My Model (v2)')).toBe('my-model-v2-train');
  });
});

interface Replica {
  replicas: number;
  restartPolicy: string;
  template: { spec: { containers: { name: string; image: string; command: string[]; volumeMounts: { name: string }[] }[]; volumes?: { name: string }[] } };
}
