// SPDX-License-Identifier: MIT
// TrainData over an image folder, built inside the training worker from plain arguments: the
// batch pipeline decodes in its own threads, reshuffles and augments the training split per
// epoch (seeded, so a resumed run sees the batches the uninterrupted one would have).
import type { AugmentConfig } from '../data/augment';
import { createBatchPipeline, type PipelineItem } from '../data/pipeline';
import type { Batch, BatchSource, TrainData } from '../train/types';

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
  /** Decode threads (default 2). */
  workers?: number;
}

function countByClass(items: readonly PipelineItem[], k: number): number[] {
  const c = new Array<number>(k).fill(0);
  for (const it of items) c[it.label]++;
  return c;
}

/** A BatchSource over `items`; `train` sources shuffle and augment, the others keep file order. */
export function folderSource(args: FolderDataArgs, items: PipelineItem[], train: boolean): BatchSource {
  return {
    size: items.length,
    classCounts: countByClass(items, args.classes.length),
    epoch(index: number): AsyncIterable<Batch> {
      return createBatchPipeline({
        items,
        root: args.root,
        batchSize: args.batch,
        decode: { width: args.imageSize, height: args.imageSize },
        shuffle: train,
        seed: args.seed,
        epoch: index,
        ...(train && args.augment ? { augment: args.augment } : {}),
        workers: args.workers ?? 2,
      });
    },
  };
}

/** The worker's data export (ModuleRef target): train, validation and test sources of a folder. */
export function folderTrainData(args: FolderDataArgs): TrainData {
  return {
    train: folderSource(args, args.train, true),
    ...(args.validation.length ? { val: folderSource(args, args.validation, false) } : {}),
    ...(args.test.length ? { test: folderSource(args, args.test, false) } : {}),
    classNames: args.classes,
  };
}
