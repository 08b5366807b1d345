// SPDX-License-Identifier: MIT
// Keras `imagenet_utils.preprocess_input`, mode for mode, for tensors (training, tfjs inference) and
// for plain arrays (the ONNX path, which has no tfjs), plus the same recipe as data for
// preprocessing.json in exports. Input is always RGB 0..255, channels last.
import * as tf from '@tensorflow/tfjs';
import '../backend/quiet';
import { AppError } from '../../shared/errors';
import type { PreprocessMode } from './types';

/** Keras's caffe means, in BGR order (the order the caffe weights expect). */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;
/** torchvision's ImageNet mean and std, RGB order, for x/255. */
export const TORCH_MEAN = [0.485, 0.456, 0.406] as const;
export const TORCH_STD = [0.229, 0.224, 0.225] as const;

export const PREPROCESS_MODES: readonly PreprocessMode[] = ['caffe', 'tf', 'torch', 'none', 'unit'];

/**
 * The recipe as data: reorder channels to `colorOrder`, then `((x * scale + offset) - mean[c]) / std[c]`,
 * with mean/std given in `colorOrder`. This is what export writes to preprocessing.json.
 */
export interface PreprocessDescription {
  mode: PreprocessMode;
  colorOrder: 'RGB' | 'BGR';
  inputRange: [0, 255];
  scale: number;
  offset: number;
  mean: [number, number, number];
  std: [number, number, number];
}

function checkMode(mode: unknown): asserts mode is PreprocessMode {
  if (!PREPROCESS_MODES.includes(mode as PreprocessMode)) {
    throw new AppError('INVALID_ARGUMENT', `Unknown preprocessing mode. Received: ${JSON.stringify(mode)}. Use one of ${PREPROCESS_MODES.join(', ')}.`, {
      received: mode,
    });
  }
}

/** Per-channel modes need exactly 3 (RGB) channels; the scaling modes take any count (LeNet's grayscale). */
function checkChannels(mode: PreprocessMode, channels: number | null | undefined, what: string): void {
  if ((mode === 'caffe' || mode === 'torch') && channels !== 3) {
    throw new AppError(
      'INVALID_INPUT',
      `preprocess mode '${mode}' needs RGB input with 3 channels last. Received ${what} with ${channels} channels. Convert the image to RGB first.`,
      { mode, channels },
    );
  }
}

/** The recipe for `mode` (see PreprocessDescription). @throws AppError INVALID_ARGUMENT */
export function preprocessDescription(mode: PreprocessMode): PreprocessDescription {
  checkMode(mode);
  const base = { mode, colorOrder: 'RGB' as const, inputRange: [0, 255] as [0, 255], scale: 1, offset: 0, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
  switch (mode) {
    case 'caffe':
      return { ...base, colorOrder: 'BGR', mean: [...CAFFE_MEAN_BGR] };
    case 'tf':
      return { ...base, scale: 1 / 127.5, offset: -1 };
    case 'torch':
      return { ...base, scale: 1 / 255, mean: [...TORCH_MEAN], std: [...TORCH_STD] };
    case 'unit':
      return { ...base, scale: 1 / 255 };
    case 'none':
      return base;
  }
}

/**
 * Keras `preprocess_input(x, mode=...)` for an NHWC (or HWC) RGB tensor in 0..255; returns float32.
 * caffe: RGB->BGR then minus the BGR means; tf: x/127.5 - 1; torch: (x/255 - mean)/std;
 * unit: x/255 (the nsfwjs weights); none: unchanged (models that normalise inside the graph).
 * @throws AppError INVALID_ARGUMENT for an unknown mode, INVALID_INPUT for a wrong channel count.
 */
export function preprocessInput<T extends tf.Tensor>(x: T, mode: PreprocessMode): T {
  checkMode(mode);
  checkChannels(mode, x.shape[x.rank - 1], `a tensor of shape [${x.shape.join(', ')}]`);
  return tf.tidy(() => {
    const f = x.toFloat();
    switch (mode) {
      case 'caffe':
        return tf.reverse(f, -1).sub(tf.tensor1d([...CAFFE_MEAN_BGR]));
      case 'tf':
        return f.div(127.5).sub(1);
      case 'torch':
        return f.div(255).sub(tf.tensor1d([...TORCH_MEAN])).div(tf.tensor1d([...TORCH_STD]));
      case 'unit':
        return f.div(255);
      case 'none':
        return f;
    }
  }) as T;
}

/**
 * The same as preprocessInput for interleaved HWC pixels (RGB 0..255) in a plain array, for code
 * without tfjs (ONNX inference). Returns a new Float32Array in the same layout, or writes into
 * `into` (same length; a batch buffer's slice, saving an allocation and a copy per image).
 * @throws AppError INVALID_ARGUMENT / INVALID_INPUT as preprocessInput, and when the length is not a multiple of channels or `into` has another length.
 */
export function preprocessPixels(pixels: Float32Array | Uint8Array | Uint8ClampedArray, mode: PreprocessMode, channels = 3, into?: Float32Array): Float32Array {
  checkMode(mode);
  checkChannels(mode, channels, `a pixel array`);
  if (!Number.isInteger(channels) || channels < 1 || pixels.length % channels !== 0) {
    throw new AppError('INVALID_INPUT', `Pixel array length ${pixels.length} is not a multiple of channels=${channels}. Pass interleaved HWC pixels.`, {
      length: pixels.length,
      channels,
    });
  }
  if (into && into.length !== pixels.length) {
    throw new AppError('INVALID_INPUT', `preprocessPixels: the output holds ${into.length} values for ${pixels.length} pixel values; pass a slice of the same length.`, { length: pixels.length, into: into.length });
  }
  const out = into ?? new Float32Array(pixels.length);
  const n = pixels.length;
  switch (mode) {
    case 'caffe':
      for (let i = 0; i < n; i += 3) {
        out[i] = pixels[i + 2] - CAFFE_MEAN_BGR[0];
        out[i + 1] = pixels[i + 1] - CAFFE_MEAN_BGR[1];
        out[i + 2] = pixels[i] - CAFFE_MEAN_BGR[2];
      }
      break;
    case 'tf':
      for (let i = 0; i < n; i++) out[i] = pixels[i] / 127.5 - 1;
      break;
    case 'torch':
      for (let i = 0; i < n; i++) out[i] = (pixels[i] / 255 - TORCH_MEAN[i % 3]) / TORCH_STD[i % 3];
      break;
    case 'unit':
      for (let i = 0; i < n; i++) out[i] = pixels[i] / 255;
      break;
    case 'none':
      out.set(pixels);
      break;
  }
  return out;
}
