// SPDX-License-Identifier: MIT
// Messages between the decode pool and its workers.
import type { SerializedError } from '../../shared/errors';
import type { AugmentConfig } from './augment';
import type { DecodeOptions } from './decode';

export interface DecodeRequest {
  id: number;
  file: string;
  decode: DecodeOptions;
  augment?: AugmentConfig;
  seed: number;
  /** The decoded-image cache to read from and fill (absent: decode every time). */
  cacheDir?: string;
  /** The file's sha256 when the caller knows it (the dataset scan does), saving a read. */
  sha256?: string;
}

export type DecodeResponse =
  | { id: number; ok: true; data: Float32Array; /** Served from the decoded-image cache. */ hit?: boolean; /** Bytes added to the cache. */ wrote?: number }
  | { id: number; ok: false; error: SerializedError };
