// SPDX-License-Identifier: MIT
// A run's image folder, described by plain arguments (structured-clone safe, so they cross into
// the training worker and into job.json for resume), and its sources: file lists for
// trainOnImages, and one BatchSource over the decode pipeline for evaluation.
import type { AugmentConfig } from '../data/augment';
import type { PipelineItem } from '../data/pipeline';
import type { FeatureItem } from '../features/extract';
import { pipelineSource } from '../train/data-source';
import type { ImageTrainData } from '../train/image-train';
import type { BatchSource } from '../train/types';

/** Structured-clone-safe description of a run's data (also written to the run folder for resume). */
export interface FolderDataArgs {
  root: string;
  classes: string[];
  train: PipelineItem[];
  validation: PipelineItem[];
  test: PipelineItem[];
  imageSize: number;
  batch: number;
  seed: number;
  augment?: AugmentConfig | null;
  /** Decodes at once, times two (default: the decode pool's capacity). */
  workers?: number;
  /** The decoded-image cache folder; set when the job is run, not stored in job.json. */
  imageCacheDir?: string;
}

/** A BatchSource over `items` (the decode pipeline); `train` sources shuffle and augment, the others keep file order. */
export function folderSource(args: FolderDataArgs, items: PipelineItem[], train: boolean): BatchSource {
  return pipelineSource(
    {
      items,
      root: args.root,
      batchSize: args.batch,
      decode: { width: args.imageSize, height: args.imageSize },
      shuffle: train,
      seed: args.seed,
      ...(train && args.augment ? { augment: args.augment } : {}),
      ...(args.workers ? { workers: args.workers } : {}),
      ...(args.imageCacheDir ? { imageCacheDir: args.imageCacheDir } : {}),
    },
    args.classes.length,
  );
}

/** The worker's images export (ModuleRef target): a run folder as file lists for trainOnImages. */
export function folderImageData(args: FolderDataArgs & { train: FeatureItem[]; validation: FeatureItem[]; test: FeatureItem[] }): ImageTrainData {
  return {
    root: args.root,
    train: args.train,
    ...(args.validation.length ? { val: args.validation } : {}),
    ...(args.test.length ? { test: args.test } : {}),
    classNames: args.classes,
    batchSize: args.batch,
    shuffleSeed: args.seed,
    ...(args.augment ? { augment: args.augment } : {}),
    ...(args.workers ? { workers: args.workers } : {}),
    ...(args.imageCacheDir ? { imageCacheDir: args.imageCacheDir } : {}),
  };
}
