// SPDX-License-Identifier: MIT
// A small BMP reader. sharp's prebuilt libvips has no BMP loader, and the npm BMP decoders are
// unmaintained, so we read the common variants ourselves: 1/4/8-bit palettes, 16/24/32-bit
// (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS), bottom-up and top-down, with OS/2, V3, V4 and V5
// headers. RLE-compressed BMPs are rare in datasets and are reported as unsupported.
import { AppError } from '../../shared/errors';

export interface BmpHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
  compression: number;
  topDown: boolean;
}

export interface DecodedBmp {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

/** True when `buf` starts with a BMP signature and a known DIB header size. */
export function isBmp(buf: Uint8Array): boolean {
  if (buf.length < 18 || buf[0] !== 0x42 || buf[1] !== 0x4d) return false;
  const dib = buf[14] | (buf[15] << 8) | (buf[16] << 16) | (buf[17] << 24);
  return [12, 40, 52, 56, 64, 108, 124].includes(dib);
}

function corrupt(name: string, what: string): AppError {
  return new AppError('FILE_CORRUPT', `${name} is not a readable BMP: ${what}.`, { file: name });
}

/**
 * Reads the BMP header without decoding pixels.
 * @throws AppError FILE_CORRUPT when the header is damaged.
 */
export function readBmpHeader(buf: Uint8Array, name = 'image'): BmpHeader {
  if (!isBmp(buf)) throw corrupt(name, 'it does not start with a BMP header');
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dib = v.getUint32(14, true);
  if (buf.length < 14 + dib) throw corrupt(name, 'the header is cut short');
  let width: number;
  let height: number;
  let bitsPerPixel: number;
  let compression = BI_RGB;
  if (dib === 12) {
    width = v.getUint16(18, true);
    height = v.getInt16(20, true);
    bitsPerPixel = v.getUint16(24, true);
  } else {
    width = v.getInt32(18, true);
    height = v.getInt32(22, true);
    bitsPerPixel = v.getUint16(28, true);
    compression = v.getUint32(30, true);
  }
  if (width <= 0 || height === 0) throw corrupt(name, `its header declares a ${width} × ${height} size`);
  return { width, height: Math.abs(height), bitsPerPixel, compression, topDown: height < 0 };
}

function maskShift(mask: number): { shift: number; max: number } {
  if (mask === 0) return { shift: 0, max: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return { shift, max: mask >>> shift };
}

/**
 * Decodes a BMP into RGB (or RGBA when the file carries an alpha mask) rows, top row first.
 * @param maxPixels refuse larger images before allocating (decompression-bomb guard).
 * @throws AppError FILE_CORRUPT (damaged or truncated), UNSUPPORTED (RLE, odd bit depths), INVALID_INPUT (too large).
 */
export function decodeBmp(buf: Uint8Array, name = 'image', maxPixels = Number.POSITIVE_INFINITY): DecodedBmp {
  const h = readBmpHeader(buf, name);
  const { width, height, bitsPerPixel: bpp, compression } = h;
  if (width * height > maxPixels) {
    throw new AppError('INVALID_INPUT', `${name} is ${width} × ${height} pixels, over the limit of ${maxPixels}.`, {
      file: name,
    });
  }
  if (![BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) {
    throw new AppError(
      'UNSUPPORTED',
      `${name} is a compressed BMP (compression ${compression}); save it as PNG or an uncompressed BMP.`,
      { file: name, compression },
    );
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) {
    throw new AppError('UNSUPPORTED', `${name} has ${bpp} bits per pixel, which BMP readers do not support.`, {
      file: name,
    });
  }
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dib = v.getUint32(14, true);
  const dataOffset = v.getUint32(10, true);

  let masks: [number, number, number, number] | undefined;
  if (bpp === 16 || bpp === 32) {
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      // Masks sit inside V4/V5 headers, or right after a 40-byte header.
      const at = 14 + 40;
      if (buf.length < at + 12) throw corrupt(name, 'the colour masks are missing');
      const hasAlpha = compression === BI_ALPHABITFIELDS || dib >= 56;
      masks = [v.getUint32(at, true), v.getUint32(at + 4, true), v.getUint32(at + 8, true), 0];
      if (hasAlpha && buf.length >= at + 16) masks[3] = v.getUint32(at + 12, true);
    } else if (bpp === 16) {
      masks = [0x7c00, 0x03e0, 0x001f, 0];
    } else {
      masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0];
    }
  }

  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const entry = dib === 12 ? 3 : 4;
    const declared = dib >= 40 ? v.getUint32(46, true) : 0;
    const count = declared > 0 ? Math.min(declared, 1 << bpp) : 1 << bpp;
    const at = 14 + dib;
    if (buf.length < at + count * entry) throw corrupt(name, 'the colour table is cut short');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < count; i++) {
      palette[i * 3] = buf[at + i * entry + 2];
      palette[i * 3 + 1] = buf[at + i * entry + 1];
      palette[i * 3 + 2] = buf[at + i * entry];
    }
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * height > buf.length) {
    throw corrupt(name, `the file is truncated (${buf.length} bytes, the pixels need ${dataOffset + stride * height})`);
  }
  const channels: 3 | 4 = masks && masks[3] !== 0 ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  const ms = masks?.map(maskShift);

  for (let row = 0; row < height; row++) {
    const y = h.topDown ? row : height - 1 - row;
    const src = dataOffset + row * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      if (palette) {
        const bit = x * bpp;
        const byte = buf[src + (bit >> 3)];
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        out[o] = palette[idx * 3];
        out[o + 1] = palette[idx * 3 + 1];
        out[o + 2] = palette[idx * 3 + 2];
      } else if (bpp === 24) {
        const p = src + x * 3;
        out[o] = buf[p + 2];
        out[o + 1] = buf[p + 1];
        out[o + 2] = buf[p];
      } else {
        const px = bpp === 16 ? v.getUint16(src + x * 2, true) : v.getUint32(src + x * 4, true);
        for (let c = 0; c < channels; c++) {
          const { shift, max } = ms![c];
          out[o + c] = max === 0 ? 0 : Math.round((((px & masks![c]) >>> shift) * 255) / max);
        }
      }
    }
  }
  return { width, height, channels, data: out };
}

/** Encodes RGB pixels as a 24-bit bottom-up BMP; used by tests and fixtures. */
export function encodeBmp24(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const stride = Math.floor((24 * width + 31) / 32) * 4;
  const size = 54 + stride * height;
  const buf = new Uint8Array(size);
  const v = new DataView(buf.buffer);
  buf[0] = 0x42;
  buf[1] = 0x4d;
  v.setUint32(2, size, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, width, true);
  v.setInt32(22, height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, stride * height, true);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      buf[row + x * 3] = rgb[i + 2];
      buf[row + x * 3 + 1] = rgb[i + 1];
      buf[row + x * 3 + 2] = rgb[i];
    }
  }
  return buf;
}
