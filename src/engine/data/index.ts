// SPDX-License-Identifier: MIT
// The image-folder dataset API: scan, split, decode, augment and batch. Everything returns plain
// DTOs; persistence is the store's job.
export type {
  DatasetLayout,
  DuplicateGroup,
  ImageFormat,
  RgbImage,
  ScanDiff,
  ScannedImage,
  ScanResult,
  SkipCode,
  SkippedFile,
  SplitName,
} from './types';
export { IMAGE_FORMATS, SPLIT_NAMES } from './types';
export { scanDataset, diffScans, findDuplicates, detectLayout, type ScanOptions } from './scan';
export { inspectImage, type Inspection } from './inspect';
export { DEFAULT_MAX_PIXELS, IMAGE_EXTENSIONS, sniffFormat } from './formats';
export {
  splitDataset,
  allocate,
  type SplitItem,
  type SplitOptions,
  type SplitResult,
  type SplitWarning,
  type SplitWarningCode,
  type ClassSplitCounts,
} from './split';
export {
  decodeImage,
  decodeToRgb,
  resizeRgb,
  toUint8,
  type AlphaMode,
  type DecodeOptions,
  type Interpolation,
  type RgbDecodeOptions,
} from './decode';
export { centerCropBox, resizeHwc, type CropBox, type ResizeMethod } from './resize';
export {
  augment,
  augmentPreview,
  adjustBrightness,
  adjustContrast,
  flipHorizontal,
  flipVertical,
  rotate,
  randomCropBox,
  DEFAULT_AUGMENT,
  type AugmentConfig,
} from './augment';
export {
  createBatchPipeline,
  type Batch,
  type BatchPipeline,
  type PipelineItem,
  type PipelineOptions,
} from './pipeline';
export { getDecodePool, spawnDecodeWorker, type DecodePool } from './decode-pool';
export { clearImageCache, imageCacheInfo, pruneImageCache, DEFAULT_IMAGE_CACHE_BYTES, type ImageCacheInfo } from './image-cache';
export { createRng, deriveSeed, shuffleInPlace, type Rng } from './rng';
export { decodeBmp, isBmp } from './bmp';
