// SPDX-License-Identifier: MIT
// A default-recipe training epoch (issue 16): augmentation on, MobileNetV2 frozen to the default
// boundary (the whole backbone in phase 1), through trainOnImages (decoded-image cache, decode
// pool, frozen part on ONNX Runtime, head on TF.js), against the keras.io transfer-learning recipe
// in Keras 3 on TensorFlow CPU on the same folder (bench/peers/keras_recipe.py). Target: our epoch
// ≤ 0.5x the recipe's, for Fashion-MNIST-sized images and (full run) 12 MP phone photos.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, probeBackends } from '../../src/engine/backend/backend';
import { DEFAULT_AUGMENT } from '../../src/engine/data/augment';
import type { FeatureItem } from '../../src/engine/features/extract';
import { trainOnImages } from '../../src/engine/train/image-train';
import type { TrainConfig } from '../../src/engine/train/types';
import { writePhonePhotos } from '../lib/images';
import { MiB, trackPeak } from '../lib/peak-memory';
import { PROJECT_PYTHON, runPeer } from '../lib/peers';
import { loadAverage } from '../lib/stats';
import { atMost, fmt, notMeasured } from '../lib/targets';
import { emptyOutput, type BenchCase, type BenchContext, type CaseOutput } from '../lib/types';

const EPOCHS = 2;

interface KerasRecipe {
  images: number;
  epoch_s: number[];
  keras: string;
  tensorflow: string;
  peak_rss_mib: number;
}

/** `<dir>/<class>/<file>` as items, classes sorted (image_dataset_from_directory's order). */
function folderItems(dir: string): { items: FeatureItem[]; classNames: string[] } {
  const classNames = readdirSync(dir).filter((d) => !d.startsWith('.')).sort();
  const items = classNames.flatMap((c, label) => readdirSync(join(dir, c)).sort().map((f) => ({ path: `${c}/${f}`, label })));
  return { items, classNames };
}

async function oneDataset(ctx: BenchContext, what: string, dir: string, out: CaseOutput): Promise<void> {
  const { items, classNames } = folderItems(dir);
  const config: TrainConfig = { backbone: 'mobilenetv2', weights: 'nsfwjs', imageSize: 224, freezeUntil: 'all', epochs: EPOCHS, lr: 1e-3, batch: 32, seed: 1, head: { dropout: 0.2 } };
  ctx.log(`${what}: ours, ${items.length} images, ${EPOCHS} epochs`);
  const load0 = loadAverage();
  const peak = trackPeak();
  const result = await trainOnImages(
    config,
    { root: dir, train: items, classNames, augment: DEFAULT_AUGMENT, imageCacheDir: mkdtempSync(join(ctx.tmpDir, 'image-cache-')) },
    {},
    { cacheDir: mkdtempSync(join(ctx.tmpDir, 'features-')) },
  );
  const peakBytes = peak.stop();
  result.model.dispose();
  const ours = result.history.map((h) => h.seconds);
  const load = (load0 + loadAverage()) / 2;
  const perImg = (s: number) => `${fmt((s * 1000) / items.length)} ms/img`;
  out.rows.push({ name: `${what}: ours, epoch 1 (decodes into the cache)`, value: ours[0], unit: 's', load, reps: 1, note: perImg(ours[0]) });
  out.rows.push({ name: `${what}: ours, epoch ${EPOCHS} (cache warm)`, value: ours[EPOCHS - 1], unit: 's', peakRssMiB: peakBytes / MiB, load, reps: 1, note: `${perImg(ours[EPOCHS - 1])}; ${result.engineNotes.split('\n')[0]}` });
  if (!existsSync(PROJECT_PYTHON)) {
    out.targets.push(notMeasured(`${what}: epoch ≤ 0.5x the keras.io recipe`, `${PROJECT_PYTHON} is missing (npm run python:env)`));
    return;
  }
  ctx.log(`${what}: keras.io recipe peer`);
  const k = await runPeer<KerasRecipe>('keras_recipe.py', ['--dir', dir, '--size', '224', '--batch', '32', '--epochs', String(EPOCHS)], 1_800_000, PROJECT_PYTHON);
  const theirs = k.epoch_s[EPOCHS - 1];
  out.rows.push({
    name: `${what}: keras.io recipe, Keras ${k.keras} on TensorFlow ${k.tensorflow} CPU, epoch ${EPOCHS}`, value: theirs, unit: 's', peakRssMiB: k.peak_rss_mib, load, reps: 1,
    note: `${perImg(theirs)}; epoch 1 ${fmt(k.epoch_s[0])} s; ours / recipe: ${fmt(ours[EPOCHS - 1] / theirs)}x (epoch ${EPOCHS}), ${fmt(ours[0] / k.epoch_s[0])}x (epoch 1)`,
  });
  out.targets.push(atMost(`${what}: default-recipe epoch ≤ 0.5x the keras.io recipe's (epoch ${EPOCHS}, ours / recipe)`, ours[EPOCHS - 1] / theirs, 0.5));
}

export const recipeEpochCase: BenchCase = {
  id: 'recipe-epoch',
  title: 'Default-recipe epoch',
  async run(ctx) {
    const out = emptyOutput();
    const backend = probeBackends().find((b) => b.name === 'tensorflow' && b.available) ? 'tensorflow' : 'wasm';
    await initBackend(backend);
    tf.env().set('PROD', true);
    const fm = await import('../../test/fixtures/fashion-mnist');
    let fmDir: string | null = join(ctx.tmpDir, 'fashion-mnist');
    try {
      await fm.writeFashionMnistFolder(fmDir, { perClass: ctx.quick ? 8 : 50, splits: ['train'] });
      fmDir = join(fmDir, 'train');
    } catch (err) {
      out.targets.push(notMeasured('Fashion-MNIST: epoch ≤ 0.5x the keras.io recipe', (err as Error).message));
      fmDir = null;
    }
    if (fmDir) await oneDataset(ctx, `Fashion-MNIST 28x28 PNGs`, fmDir, out);
    if (!ctx.quick) {
      const phone = join(ctx.tmpDir, 'phone');
      const n = 48;
      ctx.log(`writing ${n} 12 MP phone JPEGs in 2 classes`);
      await writePhonePhotos(join(phone, 'a'), n / 2, 7);
      await writePhonePhotos(join(phone, 'b'), n / 2, 1007);
      await oneDataset(ctx, `${n} phone photos 4032x3024`, phone, out);
    }
    out.notes.push(
      `Ours: trainOnImages, MobileNetV2 with the bundled nsfwjs weights, freezeUntil 'all' (the default recipe's phase 1), DEFAULT_AUGMENT (flip, random resized crop, rotation ±10°, brightness, contrast) on the cached pixels, batch 32, Adam 1e-3, TF.js ${backend} for the head, ${os.availableParallelism()} cores. The recipe: weights=None (the same speed), RandomFlip + RandomRotation(0.1), image_dataset_from_directory(image_size=224, batch 32).prefetch(AUTOTUNE), no .cache(). Epoch 1 of each side includes its one-off costs (our cache fill, Keras's tracing).`,
    );
    return out;
  },
};
