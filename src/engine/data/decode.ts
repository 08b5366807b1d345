// SPDX-License-Identifier: MIT
// Decoding one image file into the model's input pixels: EXIF orientation, alpha flattened,
// grey expanded to RGB, then resized like Keras's image_dataset_from_directory.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { AppError, type ErrorCode } from '../../shared/errors';
import { decodeBmp } from './bmp';
import { DEFAULT_MAX_PIXELS, describeContent, explainDecodeError, SNIFF_BYTES, sniffFormat } from './formats';
import { centerCropBox, resizeHwc } from './resize';
import type { RgbImage } from './types';

/**
 * `bilinear` and `nearest` reproduce tf.image.resize exactly (Keras's default is bilinear);
 * `lanczos3` uses sharp's antialiasing kernel, which looks better for large reductions.
 */
export type Interpolation = 'bilinear' | 'nearest' | 'lanczos3';

/**
 * What transparent pixels become. `white` (default) matches how image viewers show them;
 * `black` equals premultiplied alpha; `drop` keeps the colour under the alpha, as TF's decoder does.
 */
export type AlphaMode = 'white' | 'black' | 'drop';

export interface RgbDecodeOptions {
  alpha?: AlphaMode;
  /** Apply the EXIF Orientation tag (default true). Keras does not; phones rely on it. */
  applyExifOrientation?: boolean;
  /** Refuse images above this many pixels before decoding (default 100 MP). */
  maxPixels?: number;
}

export interface DecodeOptions extends RgbDecodeOptions {
  width: number;
  height: number;
  /** Default `bilinear`. */
  interpolation?: Interpolation;
  /** Crop the centred window with the target aspect ratio before resizing (Keras's crop_to_aspect_ratio). */
  cropToAspectRatio?: boolean;
  /** `float32` (default): 0..255 floats like Keras; `uint8`: rounded. */
  output?: 'float32' | 'uint8';
}

const BACKGROUND = { white: { r: 255, g: 255, b: 255 }, black: { r: 0, g: 0, b: 0 } } as const;

const CODE_OF_SKIP: Record<string, ErrorCode> = {
  TOO_LARGE: 'INVALID_INPUT',
  UNREADABLE: 'FILE_UNREADABLE',
  UNSUPPORTED_TYPE: 'UNSUPPORTED',
  NOT_A_FILE: 'FILE_UNREADABLE',
};

function toAppError(err: unknown, name: string): AppError {
  const { code, reason } = explainDecodeError(err);
  return new AppError(CODE_OF_SKIP[code] ?? 'FILE_CORRUPT', `${name}: ${reason}`, { file: name, skipCode: code }, {
    cause: err,
  });
}

interface Opened {
  img: Sharp;
  name: string;
  format: string;
  /** Size after orientation, before any resize. */
  size: () => Promise<{ width: number; height: number }>;
}

/** Reads and sniffs the input and sets up orientation and alpha; decoding happens on output. */
async function openRgb(input: string | Uint8Array, opts: RgbDecodeOptions, name: string): Promise<Opened> {
  const alpha = opts.alpha ?? 'white';
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const bytes = typeof input === 'string' ? await readFile(input) : input;
  if (bytes.length === 0) {
    throw new AppError('FILE_CORRUPT', `${name}: The file is empty (0 bytes).`, { file: name, skipCode: 'EMPTY' });
  }
  const head = bytes.subarray(0, SNIFF_BYTES);
  const format = sniffFormat(head);
  if (!format) {
    throw new AppError('FILE_CORRUPT', `${name}: This is not an image: ${describeContent(head)}.`, {
      file: name,
      skipCode: 'NOT_IMAGE',
    });
  }
  let img: Sharp;
  let size: Opened['size'];
  if (format === 'bmp') {
    const bmp = decodeBmp(bytes, name, maxPixels);
    img = sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels } });
    size = async () => ({ width: bmp.width, height: bmp.height });
  } else {
    const exif = opts.applyExifOrientation ?? true;
    img = sharp(bytes, { failOn: 'truncated', limitInputPixels: maxPixels });
    if (exif) img = img.rotate();
    size = async () => {
      const m = await sharp(bytes, { limitInputPixels: maxPixels }).metadata();
      return exif && m.autoOrient ? m.autoOrient : { width: m.width ?? 0, height: m.height ?? 0 };
    };
  }
  img = alpha === 'drop' ? img.removeAlpha() : img.flatten({ background: BACKGROUND[alpha] });
  return { img, name, format, size };
}

async function toRgb(img: Sharp): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await img.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) {
    throw new AppError('INTERNAL', `Expected 3 channels after conversion. Received: ${info.channels}.`);
  }
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

function rethrow(err: unknown, name: string): never {
  if (AppError.is(err) && (err.code === 'INTERNAL' || err.details?.skipCode)) throw err;
  throw toAppError(err, name);
}

/**
 * Decodes a file or encoded bytes to full-size 8-bit RGB (HWC).
 * GIFs and multi-page TIFFs give their first frame.
 * @throws AppError FILE_CORRUPT, FILE_UNREADABLE, UNSUPPORTED or INVALID_INPUT (over the pixel limit);
 *   `details.skipCode` carries the scanner's SkipCode.
 */
export async function decodeToRgb(
  input: string | Uint8Array,
  opts: RgbDecodeOptions = {},
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const name = typeof input === 'string' ? basename(input) : 'image';
  try {
    return await toRgb((await openRgb(input, opts, name)).img);
  } catch (err) {
    rethrow(err, name);
  }
}

/**
 * Decodes to 8-bit RGB at the working size for a `width`×`height` target: a JPEG at least twice
 * the target (after the aspect crop) is shrunk on load by 2, 4 or 8 to the smallest size still
 * covering the target, which skips most of the decoding work of a phone photo; other images
 * come out full size. The resize to the target happens after (resizeRgb), from these pixels.
 * @throws AppError as `decodeToRgb`.
 */
export async function decodeToWorkingSize(input: string | Uint8Array, opts: DecodeOptions): Promise<{ data: Uint8Array; width: number; height: number }> {
  checkSize(opts);
  const name = typeof input === 'string' ? basename(input) : 'image';
  try {
    const o = await openRgb(input, opts, name);
    let img = o.img;
    if (o.format === 'jpeg') {
      const { width, height } = await o.size();
      const box = opts.cropToAspectRatio ? centerCropBox(width, height, opts.width, opts.height) : { width, height };
      const s = [8, 4, 2].find((f) => Math.floor(box.width / f) >= opts.width && Math.floor(box.height / f) >= opts.height) ?? 1;
      // libvips's JPEG shrink-on-load gives these sizes directly; the kernel only matters for rounding.
      if (s > 1) img = img.resize(Math.ceil(width / s), Math.ceil(height / s), { fit: 'fill', kernel: 'nearest' });
    }
    return await toRgb(img);
  } catch (err) {
    rethrow(err, name);
  }
}

function checkSize(opts: DecodeOptions): void {
  for (const key of ['width', 'height'] as const) {
    const v = opts[key];
    if (!Number.isInteger(v) || v < 1 || v > 8192) {
      throw new AppError('INVALID_ARGUMENT', `Expected decode option ${key} to be an integer in 1..8192. Received: ${v}.`);
    }
  }
}

/**
 * Decodes and resizes an image to `width`×`height` RGB, HWC.
 * @throws AppError INVALID_ARGUMENT for bad sizes, otherwise as `decodeToRgb`.
 */
export async function decodeImage(input: string | Uint8Array, opts: DecodeOptions): Promise<RgbImage> {
  checkSize(opts);
  if (opts.interpolation !== 'lanczos3') return resizeRgb(await decodeToRgb(input, opts), opts);
  // One sharp chain lets JPEG shrink on load, which is much faster for large photos.
  const name = typeof input === 'string' ? basename(input) : 'image';
  try {
    const { img, size } = await openRgb(input, opts, name);
    const { width, height } = await size();
    const box = opts.cropToAspectRatio
      ? centerCropBox(width, height, opts.width, opts.height)
      : { x: 0, y: 0, width, height };
    const out = await toRgb(
      img
        .extract({ left: box.x, top: box.y, width: box.width, height: box.height })
        .resize(opts.width, opts.height, { fit: 'fill', kernel: 'lanczos3' }),
    );
    return { data: opts.output === 'uint8' ? out.data : Float32Array.from(out.data), width: out.width, height: out.height };
  } catch (err) {
    rethrow(err, name);
  }
}

/** Resizes a full-size RGB image as `decodeImage` does. */
export async function resizeRgb(
  src: { data: Uint8Array; width: number; height: number },
  opts: DecodeOptions,
): Promise<RgbImage> {
  checkSize(opts);
  const { width: outW, height: outH } = opts;
  const box = opts.cropToAspectRatio
    ? centerCropBox(src.width, src.height, outW, outH)
    : { x: 0, y: 0, width: src.width, height: src.height };
  const wantUint8 = opts.output === 'uint8';
  const method = opts.interpolation ?? 'bilinear';
  if (method === 'lanczos3') {
    const { data } = await sharp(src.data, { raw: { width: src.width, height: src.height, channels: 3 } })
      .extract({ left: box.x, top: box.y, width: box.width, height: box.height })
      .resize(outW, outH, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { data: wantUint8 ? u8 : Float32Array.from(u8), width: outW, height: outH };
  }
  const f = resizeHwc(src.data, src.width, src.height, 3, outW, outH, method, box);
  return { data: wantUint8 ? toUint8(f) : f, width: outW, height: outH };
}

/** Rounds and clamps float pixels to bytes. */
export function toUint8(f: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(f[i])));
  return out;
}
