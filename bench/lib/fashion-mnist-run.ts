// SPDX-License-Identifier: MIT
// The Fashion-MNIST target (issue 6 / 7): train on N images per class with the bundled pretrained
// MobileNetV2 (nsfwjs) through trainOnImages (frozen part on ONNX Runtime, cached; the top blocks
// and head in TF.js) and evaluate on the full 10,000-image test set. Wall time covers everything
// from the PNG files on disk to the test accuracy: hashing, decoding, extraction, training, evaluation.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/engine/backend/backend';
import type { TrainConfig } from '../../src/engine/train/types';
import { trainOnImages, type SplitReport } from '../../src/engine/train/image-train';
import type { FeatureItem } from '../../src/engine/features/extract';
import { bundledModel } from '../../src/engine/zoo/registry';

/** Up to this many images per class, only the slice asked for is written (and not kept as complete). */
const SLICE_PER_CLASS = 50;

export interface FashionMnistBenchOptions {
  /** Training images per class (default 6000 = all 60,000). */
  trainPerClass?: number;
  /** Test images per class (default 1000 = all 10,000). */
  testPerClass?: number;
  /** Default 96. */
  imageSize?: number;
  /** Phase 1: blocks up to this one stay frozen; the rest trains (default 'block_15': block_16, conv_1 and the head train). */
  freezeUntil?: string;
  epochs?: number;
  lr?: number;
  batch?: number;
  head?: TrainConfig['head'];
  fineTune?: TrainConfig['fineTune'];
  labelSmoothing?: number;
  schedule?: TrainConfig['schedule'];
  seed?: number;
  /** TF.js backend for the trainable part (default 'wasm'; 'auto' is the app's choice: native when present). */
  backend?: BackendName | 'auto';
  /** Where the PNG folder is written once and reused (default <tmp>/fashion-mnist-png). */
  datasetDir?: string;
  /** Feature cache folder; default a fresh temporary folder, so extraction is part of the time. */
  cacheDir?: string;
  /** 'off' trains the whole model in TF.js from pixels (for comparison; very slow). */
  fastPath?: 'auto' | 'off';
  log?: (message: string) => void;
}

export interface FashionMnistBenchResult {
  /** Top-1 on the test images used (10,000 by default). */
  accuracy: number;
  /** From the files on disk to the test accuracy, dataset folder creation excluded. */
  wallSeconds: number;
  /** (train images × epochs + test images) / wallSeconds. */
  imagesPerSec: number;
  settings: Record<string, unknown>;
  trainImages: number;
  testImages: number;
  /** Extraction, training and setup split of the wall time. */
  phases: { extractSeconds: number; extractImagesPerSec: number; sessionSeconds: number; trainSeconds: number; datasetSeconds: number };
  engineNotes: string;
  splits: SplitReport[];
  history: { phase: number; epoch: number; loss: number; acc: number; seconds: number; imagesPerSec: number }[];
  peakRssMiB: number;
}

/**
 * Writes (once) the dataset as PNGs and returns its item lists, limited per class. A small slice
 * (the bench's quick mode) is written on its own; anything larger writes all 70,000 images once.
 */
async function dataset(dir: string, trainPer: number, testPer: number): Promise<{ train: FeatureItem[]; test: FeatureItem[]; seconds: number; classNames: string[] }> {
  const fm = await import('../../test/fixtures/fashion-mnist');
  const t0 = performance.now();
  const marker = path.join(dir, '.complete');
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    if (trainPer <= SLICE_PER_CLASS && testPer <= SLICE_PER_CLASS) {
      await fm.writeFashionMnistFolder(dir, { perClass: trainPer, splits: ['train'] });
      await fm.writeFashionMnistFolder(dir, { perClass: testPer, splits: ['test'] });
    } else {
      await fm.writeFashionMnistFolder(dir, {});
      writeFileSync(marker, 'all 70,000 images\n');
    }
  }
  // writeFashionMnistFolder names files by their index in the IDX file; rebuild the lists the same way.
  const labels = (split: 'train' | 'test') => fm.readIdx(path.join(fm.findFashionMnistDir(), split === 'train' ? 'train-labels-idx1-ubyte.gz' : 't10k-labels-idx1-ubyte.gz')).data;
  const pick = (split: 'train' | 'test', per: number) => {
    const ls = labels(split);
    const taken = new Array<number>(10).fill(0);
    const out: FeatureItem[] = [];
    ls.forEach((label, i) => {
      if (taken[label] >= per) return;
      taken[label]++;
      out.push({ path: `${split}/${fm.FASHION_MNIST_CLASSES[label]}/${i}.png`, label });
    });
    return out;
  };
  return { train: pick('train', trainPer), test: pick('test', testPer), seconds: (performance.now() - t0) / 1000, classNames: [...fm.FASHION_MNIST_CLASSES] };
}

/**
 * Trains and evaluates once with the given settings (defaults, the best measured: all 60,000
 * training images at 96 px, block_16 + conv_1 + head trainable on block_15_add features, 3 epochs,
 * Adam 1e-3 with a cosine schedule, batch 64, wasm) and reports the accuracy on the test set, the
 * wall time and what ran where.
 * @throws AppError NOT_FOUND when Debian's dataset-fashion-mnist is not installed.
 */
export async function runFashionMnistBenchmark(opts: FashionMnistBenchOptions = {}): Promise<FashionMnistBenchResult> {
  const log = opts.log ?? (() => undefined);
  const trainPer = opts.trainPerClass ?? 6000;
  const testPer = opts.testPerClass ?? 1000;
  const backend = await initBackend(opts.backend ?? 'wasm');
  tf.env().set('PROD', true);
  const datasetDir = opts.datasetDir ?? path.join(os.tmpdir(), 'fashion-mnist-png');
  log(`dataset: ${datasetDir}`);
  const ds = await dataset(datasetDir, trainPer, testPer);
  const config: TrainConfig = {
    backbone: bundledModel('nsfwjs').spec.id,
    weights: 'nsfwjs',
    imageSize: opts.imageSize ?? 96,
    freezeUntil: opts.freezeUntil ?? 'block_15',
    epochs: opts.epochs ?? 3,
    lr: opts.lr ?? 1e-3,
    batch: opts.batch ?? 64,
    seed: opts.seed ?? 1,
    head: opts.head ?? { dropout: 0.2 },
    ...(opts.fineTune ? { fineTune: opts.fineTune } : {}),
    ...(opts.labelSmoothing ? { labelSmoothing: opts.labelSmoothing } : {}),
    schedule: opts.schedule ?? 'cosine',
  };
  const ownCache = !opts.cacheDir;
  const cacheDir = opts.cacheDir ?? mkdtempSync(path.join(os.tmpdir(), 'fm-features-'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 500);
  const t0 = performance.now();
  try {
    const result = await trainOnImages(
      config,
      { root: datasetDir, train: ds.train, test: ds.test, classNames: ds.classNames },
      {
        onEpoch: (e) => log(`phase ${e.phase} epoch ${e.epoch}: loss ${e.loss.toFixed(4)} acc ${e.acc.toFixed(4)} ${e.seconds.toFixed(0)} s ${e.imagesPerSec.toFixed(0)} img/s`),
        onBatch: (b) => {
          if (b.batch % 100 === 0) log(`  batch ${b.batch}/${b.batches}: loss ${b.loss.toFixed(4)} acc ${b.acc.toFixed(4)} ${b.imagesPerSec.toFixed(0)} img/s`);
        },
      },
      { mode: opts.fastPath ?? 'auto', cacheDir, onExtract: (p) => void (p.done % 5120 < 64 && log(`  extracted ${p.done}/${p.total} (${p.imagesPerSec.toFixed(0)} img/s)`)) },
    );
    const wallSeconds = (performance.now() - t0) / 1000;
    result.model.dispose();
    const accuracy = result.evaluation?.accuracy ?? Number.NaN;
    const ex = result.splits[0]?.extract;
    const trainSeconds = result.history.reduce((s, h) => s + h.seconds, 0);
    return {
      accuracy,
      wallSeconds,
      imagesPerSec: (ds.train.length * result.history.length + ds.test.length) / wallSeconds,
      settings: { ...config, trainPerClass: trainPer, testPerClass: testPer, backend, fastPath: opts.fastPath ?? 'auto', cores: os.availableParallelism() },
      trainImages: ds.train.length,
      testImages: ds.test.length,
      phases: { extractSeconds: ex?.seconds ?? 0, extractImagesPerSec: ex?.imagesPerSec ?? 0, sessionSeconds: ex?.sessionSeconds ?? 0, trainSeconds, datasetSeconds: ds.seconds },
      engineNotes: result.engineNotes,
      splits: result.splits,
      history: result.history.map((h) => ({ phase: h.phase, epoch: h.epoch, loss: h.loss, acc: h.acc, seconds: h.seconds, imagesPerSec: h.imagesPerSec })),
      peakRssMiB: peak / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
    if (ownCache) rmSync(cacheDir, { recursive: true, force: true });
  }
}
