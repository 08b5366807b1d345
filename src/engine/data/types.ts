// SPDX-License-Identifier: MIT
// The dataset DTOs (scan results, skip codes, splits) are declared in src/shared/dto so the store
// can persist them without importing the engine; the engine's own shapes follow.
export * from '../../shared/dto/dataset-scan';

/** An HWC RGB image, 3 channels, row-major. Float data are in 0..255 like Keras's loader. */
export interface RgbImage {
  data: Uint8Array | Float32Array;
  width: number;
  height: number;
}
