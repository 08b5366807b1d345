// SPDX-License-Identifier: MIT
// The Backbone step: the zoo as models.list reports it, the weights to start from per backbone
// (the registry's entries, none, or the user's own file checked by weights.check) with why a
// choice cannot be used now, and what "Use" saves for the project (backbone, weights, freezing).
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeEngine, wizardOf } from '../../../../test/renderer-engine';
import { ModelSummarySchema, type ModelSummary } from '../../../shared/dto/models';
import { AppError } from '../../../shared/errors';
import type { EngineHandlers } from '../../../shared/ipc/contract';
import { project } from '../state/project.svelte';
import { toasts } from '../state/toasts.svelte';
import { wizard } from '../state/wizard.svelte';
import BackboneStep from './BackboneStep.svelte';

const paper = { title: 'A paper', authors: 'A. Author', year: 2018, url: 'https://example.org/paper' };
const RESNET_REASON =
  'The ImageNet weights of ResNet50 (notop, ≈95 MB) are not in the Keras cache: /home/ana/.keras/models/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5 is missing. ' +
  'Download them with `transfer-studio weights download resnet50 --variant notop` (or Download on the app\'s Backbone step), or fetch https://example.org/resnet50_notop.h5 into /home/ana/.keras/models; or choose other weights (none).';

const none = (id: string) => ({ id: `${id}.none`, tag: 'none', weights: 'none', label: 'none', source: 'none' as const, preprocess: 'tf', available: true });

/** models.list as the engine returns it (parsed by the contract's schema); `resnetCached` after a download. */
function zoo(resnetCached = false): ModelSummary[] {
  return ModelSummarySchema.array().parse([
    {
      id: 'mobilenetv2', name: 'MobileNetV2', family: 'mobilenet', kind: 'keras', paper, story: 'Inverted residuals with linear bottlenecks.', inputSize: 224, preprocess: 'tf',
      params: 3_538_984, paramsNotop: 2_257_984, depth: 105, sizeMb: 14, top1: 0.713, top5: 0.901, cpuMsPerStep: 25, cached: { top: false, notop: true }, weightSources: ['imagenet', 'none'],
      weights: [{ id: 'mobilenetv2.imagenet', tag: 'imagenet', weights: 'imagenet', label: 'ImageNet', source: 'download', bytes: 9_406_464, preprocess: 'tf', available: true }, none('mobilenetv2')],
    },
    {
      id: 'resnet50', name: 'ResNet50', family: 'resnet', kind: 'keras', paper: { ...paper, year: 2015 }, story: 'Residual learning.', inputSize: 224, preprocess: 'caffe',
      params: 25_636_712, paramsNotop: 23_587_712, depth: 107, sizeMb: 98, top1: 0.749, top5: 0.921, cpuMsPerStep: 58, cached: { top: false, notop: resnetCached }, weightSources: ['imagenet', 'none'],
      weights: [
        { id: 'resnet50.imagenet', tag: 'imagenet', weights: 'imagenet', label: 'ImageNet', source: 'download', bytes: 94_765_736, preprocess: 'caffe', available: resnetCached, ...(resnetCached ? {} : { reason: RESNET_REASON }) },
        none('resnet50'),
      ],
    },
    {
      id: 'lenet5', name: 'LeNet-5', family: 'lenet', kind: 'classic', paper: { ...paper, year: 1998 }, story: 'Handwritten digits.', inputSize: 32, preprocess: 'none',
      params: 61_706, paramsNotop: 61_706, cached: { top: false, notop: false }, weightSources: [], weights: [none('lenet5')],
    },
  ]);
}

const birds = { id: 4, name: 'Birds', createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z', settings: {} };

/** The engine with the zoo and the wizard state of project 4 (`choices` as saved before). */
function engine(choices: Record<string, unknown> = { backbone: 'mobilenetv2' }, more: Partial<EngineHandlers> = {}) {
  return fakeEngine({
    'models.list': async () => zoo(),
    ...wizardOf(4, choices, 'backbone'),
    ...more,
  });
}

async function mount(withProject = true) {
  if (withProject) await project.open(birds);
  render(BackboneStep);
  await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(4));
}

const cells = () => screen.getAllByRole('row').slice(1).map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent?.replace(/\s+/g, ' ').trim()));
const radios = () => [...screen.getByTestId('weights-choice').querySelectorAll('label.choice')].map((l) => ({ text: l.textContent?.trim(), checked: l.querySelector('input')!.checked }));
/** The choices the last wizard.save stored for the project. */
const saved = (fake: ReturnType<typeof engine>) => fake.inputs('wizard.save').filter((s) => s.choices).at(-1)?.choices;

afterEach(async () => {
  toasts.items = [];
  project.close();
  await project.flushed();
  wizard.go('backbone');
});

describe('BackboneStep', () => {
  it('lists every backbone with its figures and weights status, best top-1 first, and sorts by a column', async () => {
    engine();
    await mount();
    expect(cells()).toEqual([
      ['ResNet50', '98', '74.9%', '92.1%', '25.6M', '107', '58', '224', 'Download'],
      ['MobileNetV2', '14', '71.3%', '90.1%', '3.5M', '105', '25', '224', 'cached'],
      ['LeNet-5 classic', '–', '–', '–', '0.062M', '–', '–', '32', 'train from scratch'],
    ]);
    expect(screen.getByRole('button', { name: 'Download ResNet50 weights' })).toBeTruthy();
    expect(screen.getByTestId('chosen-backbone').textContent).toBe('Chosen for “Birds”: MobileNetV2');
    const th = (name: string) => screen.getByRole('button', { name: new RegExp(`^${name}`) }).closest('th')!;
    expect(th('Top-1').getAttribute('aria-sort')).toBe('descending');
    await fireEvent.click(screen.getByRole('button', { name: 'Model' }));
    expect(th('Model').getAttribute('aria-sort')).toBe('ascending');
    expect(th('Top-1').getAttribute('aria-sort')).toBe('none');
    expect(cells().map((r) => r[0])).toEqual(['LeNet-5 classic', 'MobileNetV2', 'ResNet50']);
    await fireEvent.input(screen.getByPlaceholderText('e.g. resnet'), { target: { value: 'RES' } });
    expect(cells().map((r) => r[0])).toEqual(['ResNet50']);
  });

  it('offers each backbone’s weights, says why ImageNet weights cannot be used yet, and saves the choice', async () => {
    const fake = engine({ backbone: 'mobilenetv2', weights: 'imagenet', freezeUntil: 'conv5' });
    await mount();
    // The saved backbone is shown with its saved weights.
    expect(screen.getByTestId('model-story').querySelector('h3')!.textContent).toBe('MobileNetV2 (2018)');
    expect(radios()).toEqual([
      { text: 'ImageNet (download, 9 MB) — downloaded', checked: true },
      { text: 'none: train from scratch', checked: false },
      { text: 'your own file (Keras .h5, .keras or TF.js model.json)', checked: false },
    ]);
    expect(screen.queryByTestId('weights-note')).toBeNull();

    await fireEvent.click(screen.getByRole('button', { name: 'ResNet50' }));
    expect(screen.getByTestId('model-story').textContent).toContain('25.6M parameters, 98 MB of weights, 74.9% top-1 on ImageNet; input 224×224. Weights: imagenet, none.');
    expect(radios().map((r) => [r.text, r.checked])).toEqual([
      ['ImageNet (download, 95 MB)', true],
      ['none: train from scratch', false],
      ['your own file (Keras .h5, .keras or TF.js model.json)', false],
    ]);
    expect(screen.getByTestId('weights-reason').textContent).toBe(RESNET_REASON);
    expect(screen.getByTestId('weights-note').textContent).toContain('Its ImageNet weights are not in the Keras cache yet');

    // From scratch: nothing is pretrained, so nothing stays frozen.
    await fireEvent.click(screen.getByRole('radio', { name: 'none: train from scratch' }));
    expect(screen.queryByTestId('weights-reason')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Use ResNet50' }));
    await project.flushed();
    expect(saved(fake)).toMatchObject({ backbone: 'resnet50', weights: 'none', freezeUntil: 'none' });
    expect(wizard.current).toBe('dataset');

    // Back to pretrained weights after training from scratch: the backbone is frozen again.
    await fireEvent.click(screen.getByRole('button', { name: 'MobileNetV2' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Use MobileNetV2' }));
    await project.flushed();
    expect(saved(fake)).toMatchObject({ backbone: 'mobilenetv2', weights: 'imagenet', freezeUntil: 'all' });
  });

  it('checks the user’s own weights file and uses its absolute path, or shows the engine’s refusal', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const fake = engine({ backbone: 'resnet50', weights: 'imagenet', freezeUntil: 'all' }, {
      'weights.check': async ({ file, model }) => {
        if (file.endsWith('bad.h5')) throw new AppError('WEIGHTS_MISMATCH', `${file}: layer conv1_conv expects kernel [7,7,3,64], the file has [3,3,3,32].`);
        return { model, file: `/home/ana/${file.replace(/^~\//, '')}`, bytes: 94_765_736, format: 'keras-h5-weights', weightsLoaded: 320, imageSize: 224 };
      },
    });
    await mount();
    await fireEvent.click(screen.getByRole('radio', { name: /your own file/ }));
    const input = screen.getByPlaceholderText('/path/to/my_weights.h5') as HTMLInputElement;
    const check = screen.getByRole('button', { name: 'Check file' }) as HTMLButtonElement;
    const use = screen.getByRole('button', { name: 'Use ResNet50' }) as HTMLButtonElement;
    expect(check.disabled).toBe(true);
    expect(use.disabled).toBe(true);
    expect(screen.getByText('Check the file first.')).toBeTruthy();

    await fireEvent.input(input, { target: { value: ' ~/bad.h5 ' } });
    await fireEvent.submit(check.closest('form')!);
    await waitFor(() => expect(screen.getByTestId('weights-file-error').textContent).toBe('~/bad.h5: layer conv1_conv expects kernel [7,7,3,64], the file has [3,3,3,32].'));
    expect(use.disabled).toBe(true);

    await fireEvent.input(input, { target: { value: '~/resnet_notop.h5' } });
    expect(screen.queryByTestId('weights-file-error')).toBeNull();
    await fireEvent.submit(check.closest('form')!);
    await waitFor(() => expect(screen.getByTestId('weights-file-ok').textContent).toBe('/home/ana/resnet_notop.h5: 320 weights fill every layer of ResNet50 (keras-h5-weights, 95 MB).'));
    expect(fake.inputs('weights.check')).toEqual([{ file: '~/bad.h5', model: 'resnet50' }, { file: '~/resnet_notop.h5', model: 'resnet50' }]);
    expect(use.disabled).toBe(false);
    await fireEvent.click(use);
    await project.flushed();
    expect(saved(fake)).toMatchObject({ backbone: 'resnet50', weights: '/home/ana/resnet_notop.h5', freezeUntil: 'all' });
  });

  it('shows a saved own file as the choice, and classic networks only from scratch', async () => {
    engine({ backbone: 'resnet50', weights: '/home/ana/mine.keras' });
    await mount();
    expect(radios().find((r) => r.checked)?.text).toBe('your own file (Keras .h5, .keras or TF.js model.json)');
    expect((screen.getByPlaceholderText('/path/to/my_weights.h5') as HTMLInputElement).value).toBe('/home/ana/mine.keras');

    await fireEvent.click(screen.getByRole('button', { name: 'LeNet-5' }));
    expect(radios()).toEqual([{ text: 'none: train from scratch', checked: true }]);
    expect(screen.getByTestId('weights-choice').textContent).toContain('Classic networks have no pretrained weights here: they train from scratch.');
  });

  it('downloads missing ImageNet weights and then shows them cached and usable', async () => {
    let cached = false;
    const fake = engine({ backbone: 'resnet50' }, {
      'models.list': async () => zoo(cached),
      'weights.download': async ({ model, variant }) => {
        cached = true;
        return { model, variant, jobId: 'weights:ResNet50:notop', path: '/home/ana/.keras/models/resnet50_notop.h5', bytes: 94_765_736, hash: 'a'.repeat(64), algorithm: 'sha256', cached: false, waited: false, resumed: false };
      },
    });
    await mount();
    expect(radios()[0]).toEqual({ text: 'ImageNet (download, 95 MB)', checked: true });
    expect(screen.getByTestId('weights-reason').textContent).toBe(RESNET_REASON);
    await fireEvent.click(screen.getByRole('button', { name: 'Download ResNet50 weights' }));
    await waitFor(() => expect(cells()[0].at(-1)).toBe('cached'));
    expect(fake.inputs('weights.download')).toEqual([{ model: 'resnet50', variant: 'notop' }]);
    expect(toasts.items.map((t) => t.text)).toEqual(['ResNet50 weights ready (94.8 MB, sha256 verified)']);
    expect(screen.queryByTestId('weights-reason')).toBeNull();
    expect(screen.queryByTestId('weights-note')).toBeNull();
    expect(radios()[0]).toEqual({ text: 'ImageNet (download, 95 MB) — downloaded', checked: true });
  });

  it('asks for an open project before a backbone can be used', async () => {
    engine();
    await mount(false);
    await fireEvent.click(screen.getByRole('button', { name: 'ResNet50' }));
    expect((screen.getByRole('button', { name: 'Use ResNet50' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Open a project first (step 1).')).toBeTruthy();
    expect(screen.getByTestId('chosen-backbone').textContent).toBe('Chosen for this session: ');
  });
});
