// SPDX-License-Identifier: MIT
// Messages between the batch pipeline and its decode workers.
import type { SerializedError } from '../../shared/errors';
import type { AugmentConfig } from './augment';
import type { DecodeOptions } from './decode';

export interface DecodeRequest {
  id: number;
  file: string;
  decode: DecodeOptions;
  augment?: AugmentConfig;
  seed: number;
}

export type DecodeResponse =
  | { id: number; ok: true; data: Float32Array }
  | { id: number; ok: false; error: SerializedError };
