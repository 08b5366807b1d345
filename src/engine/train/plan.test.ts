// SPDX-License-Identifier: MIT
// planRun resolves the model id and its weights once: the registry's default tag when none is
// given (scratch for the classics, which ImageNet used to refuse), a user's file as an absolute
// path, and a refusal before any run exists for weights the backbone has not.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rejection } from '../../../test/fixtures/rejection';
import type { TrainStart } from '../../shared/dto/train';
import { checkRunWeights, isWeightsFile, planRun, type PlanImage } from './plan';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ts-plan-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const dataset = { root: '/data/pets', layout: 'classes', classes: ['cat', 'dog'] };
const images: PlanImage[] = Array.from({ length: 20 }, (_, i) => ({ path: `${i % 2 ? 'cat' : 'dog'}/${i}.png`, className: i % 2 ? 'cat' : 'dog' }));
const req = (r: Partial<TrainStart>): TrainStart => ({ datasetId: 1, backbone: 'mobilenetv2', epochs: 3, ...r });

describe('planRun', () => {
  it('gives each backbone its default weights: bundled for MobileNetV2, ImageNet for Keras models, none for classics', () => {
    const mobile = planRun(req({}), dataset, images);
    expect([mobile.model.cfg.id, mobile.job.config.weights, mobile.weightsFile]).toEqual(['mobilenetv2.nsfwjs', 'nsfwjs', null]);
    expect(mobile.job.notes[1]).toBe('weights: nsfwjs (mobilenetv2.nsfwjs: nsfwjs (bundled with the app, no download); inputs preprocessed with unit)');
    expect(mobile.job.config.fineTune).toMatchObject({ epochs: 1 });
    expect(planRun(req({ backbone: 'ResNet50' }), dataset, images).job.config).toMatchObject({ backbone: 'resnet50', weights: 'imagenet' });
    const lenet = planRun(req({ backbone: 'lenet5' }), dataset, images);
    expect([lenet.model.cfg.id, lenet.job.config.backbone, lenet.job.config.weights]).toEqual(['lenet5.scratch', 'lenet5', 'none']);
    // A random backbone has nothing to fine-tune.
    expect(lenet.job.config.fineTune).toBeUndefined();
    expect(planRun(req({ backbone: 'mobilenetv2.imagenet' }), dataset, images).job.config.weights).toBe('imagenet');
  });

  it('takes a file path as the user’s own weights, resolved to an absolute path', () => {
    const p = planRun(req({ backbone: 'lenet5', weights: 'mine/lenet.h5' }), dataset, images);
    expect(p.weightsFile).toBe(path.resolve('mine/lenet.h5'));
    expect(p.job.config.weights).toBe(path.resolve('mine/lenet.h5'));
    expect(p.job.config.fineTune).toMatchObject({ epochs: 1 });
    expect(p.job.notes[1]).toMatch(/^weights: .*mine\/lenet\.h5 \(your own file; inputs preprocessed with tf, LeNet-5's own mode\)$/);
    expect([isWeightsFile('none'), isWeightsFile('scratch'), isWeightsFile('x.h5'), isWeightsFile(undefined)]).toEqual([false, false, true, false]);
  });

  it('refuses weights the backbone has not before anything is written', async () => {
    const err = await rejection((async () => planRun(req({ backbone: 'alexnet', weights: 'imagenet' }), dataset, images))());
    expect([err.code, err.message]).toEqual(['INVALID_ARGUMENT', 'AlexNet has no imagenet weights. Choose one of: none, or a weights file of your own.']);
  });
});

describe('checkRunWeights', () => {
  it('fails with the one WEIGHTS_MISSING message when ImageNet is not cached, and not for bundled or scratch', async () => {
    const cacheDir = path.join(tmp, 'empty-cache');
    const err = await rejection(checkRunWeights(planRun(req({ backbone: 'resnet50' }), dataset, images), { cacheDir }));
    expect(err.code).toBe('WEIGHTS_MISSING');
    expect(err.message).toMatch(/^The ImageNet weights of ResNet50 \(notop, ≈94 MB\) are not in the Keras cache: .*empty-cache\/resnet50_weights_tf_dim_ordering_tf_kernels_notop\.h5 is missing\./);
    await expect(checkRunWeights(planRun(req({}), dataset, images), { cacheDir })).resolves.toBeNull();
    await expect(checkRunWeights(planRun(req({ backbone: 'lenet5' }), dataset, images), { cacheDir })).resolves.toBeNull();
  });

  it('refuses a missing file of the user’s own, naming it', async () => {
    const err = await rejection(checkRunWeights(planRun(req({ backbone: 'lenet5', weights: path.join(tmp, 'gone.h5') }), dataset, images)));
    expect([err.code, err.message]).toEqual(['NOT_FOUND', `No such weights file: ${path.join(tmp, 'gone.h5')}. Check the path, or pass imagenet, nsfwjs or none.`]);
  });
});
