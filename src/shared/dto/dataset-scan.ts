// SPDX-License-Identifier: MIT
// Plain DTOs for image-folder datasets: structured-clone safe, so the store can persist them and
// IPC can carry them without conversion. They live in src/shared so the store needs no engine
// import; engine/data/types.ts re-exports them.

/** Image formats the scanner accepts; BMP is decoded by our own reader because sharp's build lacks it. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'bmp', 'tiff'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** Split names; folder names `val` and `validation` both map to `validation`. */
export const SPLIT_NAMES = ['train', 'validation', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** One readable image found by a scan. */
export interface ScannedImage {
  /** Path relative to the dataset root, always with `/` separators. */
  path: string;
  /** The first-level class folder (second level when the user has split folders). */
  className: string;
  /** Set only when the user's own `train/`, `val/`, `test/` folders hold the classes. */
  split?: SplitName;
  bytes: number;
  mtimeMs: number;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
  /** Size after EXIF orientation is applied, as the model will see it. */
  width: number;
  height: number;
  format: ImageFormat;
}

/** Why a file was left out, for the user to read and fix. */
export type SkipCode =
  | 'EMPTY'
  | 'NOT_IMAGE'
  | 'CORRUPT'
  | 'TOO_LARGE'
  | 'UNREADABLE'
  | 'NOT_A_FILE'
  | 'UNSUPPORTED_TYPE'
  | 'OUTSIDE_CLASS'
  | 'LINK_OUTSIDE'
  | 'LINK_LOOP'
  | 'LINK_BROKEN';

export interface SkippedFile {
  /** Relative to the dataset root, `/` separators. */
  path: string;
  code: SkipCode;
  /** One sentence a user understands, saying what is wrong and, where possible, what to do. */
  reason: string;
}

/** Files with identical bytes. */
export interface DuplicateGroup {
  sha256: string;
  paths: string[];
  /** Distinct classes among `paths`, sorted. */
  classes: string[];
  /** True when the same image is labelled with two or more classes: a labelling mistake. */
  crossClass: boolean;
}

export type DatasetLayout = 'classes' | 'splits';

export interface ScanResult {
  /** Absolute root as given (resolved). */
  root: string;
  layout: DatasetLayout;
  /** Sorted by path (code-unit order, so it is stable across platforms). */
  images: ScannedImage[];
  skipped: SkippedFile[];
  duplicates: DuplicateGroup[];
  /** Sorted class names; the label index of a class is its position here (as Keras does). */
  classes: string[];
  /** Images per class (all splits together). */
  classCounts: Record<string, number>;
}

/** What changed between two scans of the same folder. */
export interface ScanDiff {
  added: ScannedImage[];
  removed: ScannedImage[];
  /** Same path, different bytes. */
  changed: { before: ScannedImage; after: ScannedImage }[];
  unchanged: number;
}
