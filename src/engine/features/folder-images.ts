// SPDX-License-Identifier: MIT
// The training worker's `images` export (ModuleRef target) for a run's folder data: the same
// arguments folderTrainData takes, as file lists for trainOnImages.
import type { FolderDataArgs } from '../runs/folder-data';
import type { ImageTrainData } from './fast-path';
import type { FeatureItem } from './extract';

/** ImageTrainData for a run folder; items may carry the scan's `sha256` (hashed from the files otherwise). */
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
    workers: args.workers ?? 2,
  };
}
