// SPDX-License-Identifier: MIT
// A run's image folder, described by plain arguments (structured-clone safe, so they cross into
// the training worker and into job.json for resume), and its sources: file lists for
// trainOnImages, and one BatchSource over the decode pipeline for evaluation.
import type { PipelineItem } from '../data/pipeline';
import type { FeatureItem } from '../features/extract';
import { pipelineSource } from '../train/data-source';
import type { ImageTrainData } from '../train/image-train';
import type { BatchSource, FolderDataArgs } from '../train/types';

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
