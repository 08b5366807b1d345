// SPDX-License-Identifier: MIT
import { describe, it, expect } from 'vitest';
import { decodeBmp, encodeBmp24, isBmp, readBmpHeader } from './bmp';
import { AppError } from '../../shared/errors';

/** Builds a BMP by hand: file header + 40-byte (or longer) info header + extra + pixel rows. */
function bmp(opts: {
  w: number;
  h: number;
  bpp: number;
  compression?: number;
  dibSize?: number;
  extra?: number[];
  rows: number[][];
}): Uint8Array {
  const dib = opts.dibSize ?? 40;
  const head = 14 + dib + (opts.extra?.length ?? 0);
  const pixels = opts.rows.flat();
  const b = new Uint8Array(head + pixels.length);
  const v = new DataView(b.buffer);
  b.set([0x42, 0x4d]);
  v.setUint32(2, b.length, true);
  v.setUint32(10, head, true);
  v.setUint32(14, dib, true);
  v.setInt32(18, opts.w, true);
  v.setInt32(22, opts.h, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, opts.bpp, true);
  v.setUint32(30, opts.compression ?? 0, true);
  if (opts.extra) b.set(opts.extra, 14 + dib);
  b.set(pixels, head);
  return b;
}

const px = (d: { data: Uint8Array; width: number; channels: number }, x: number, y: number) =>
  Array.from(d.data.subarray((y * d.width + x) * d.channels, (y * d.width + x + 1) * d.channels));

describe('decodeBmp', () => {
  it('reads a bottom-up 24-bit BMP with row padding', () => {
    // 2×2: rows stored bottom first, BGR, each row padded to 8 bytes.
    const file = bmp({
      w: 2,
      h: 2,
      bpp: 24,
      rows: [
        [0, 0, 255, 0, 255, 0, 0, 0], // bottom: red, green
        [255, 0, 0, 255, 255, 255, 0, 0], // top: blue, white
      ],
    });
    expect(isBmp(file)).toBe(true);
    const d = decodeBmp(file);
    expect(d.channels).toBe(3);
    expect(px(d, 0, 0)).toEqual([0, 0, 255]);
    expect(px(d, 1, 0)).toEqual([255, 255, 255]);
    expect(px(d, 0, 1)).toEqual([255, 0, 0]);
    expect(px(d, 1, 1)).toEqual([0, 255, 0]);
  });

  it('reads a top-down 8-bit palette BMP', () => {
    const palette = [10, 20, 30, 0, 200, 100, 50, 0]; // BGRA entries: (30,20,10) and (50,100,200)
    const file = bmp({ w: 3, h: -1, bpp: 8, extra: palette, rows: [[1, 0, 1, 0]] });
    // Declared colour count 0 means 2^bpp; our palette has 2 entries, so set it explicitly.
    new DataView(file.buffer).setUint32(46, 2, true);
    const d = decodeBmp(file);
    expect(readBmpHeader(file).topDown).toBe(true);
    expect([px(d, 0, 0), px(d, 1, 0), px(d, 2, 0)]).toEqual([
      [50, 100, 200],
      [30, 20, 10],
      [50, 100, 200],
    ]);
  });

  it('reads a 1-bit BMP most significant bit first', () => {
    const palette = [0, 0, 0, 0, 255, 255, 255, 0];
    const file = bmp({ w: 4, h: 1, bpp: 1, extra: palette, rows: [[0b1010_0000, 0, 0, 0]] });
    new DataView(file.buffer).setUint32(46, 2, true);
    const d = decodeBmp(file);
    expect([0, 1, 2, 3].map((x) => px(d, x, 0)[0])).toEqual([255, 0, 255, 0]);
  });

  it('reads 32-bit BI_BITFIELDS with an alpha mask from a V4 header', () => {
    // V4 header (108 bytes): masks at offset 54. RGBA masks in byte order R=0x00ff0000 ...
    const file = bmp({ w: 1, h: 1, bpp: 32, compression: 3, dibSize: 108, rows: [[0x11, 0x22, 0x33, 0x80]] });
    const v = new DataView(file.buffer);
    v.setUint32(54, 0x00ff0000, true);
    v.setUint32(58, 0x0000ff00, true);
    v.setUint32(62, 0x000000ff, true);
    v.setUint32(66, 0xff000000, true);
    const d = decodeBmp(file);
    expect(d.channels).toBe(4);
    expect(px(d, 0, 0)).toEqual([0x33, 0x22, 0x11, 0x80]);
  });

  it('reads 16-bit 5-5-5 pixels and scales them to 0..255', () => {
    // 0x7c00 = pure red at full 5-bit intensity; 0x0010 = blue 16/31.
    const file = bmp({ w: 2, h: 1, bpp: 16, rows: [[0x00, 0x7c, 0x10, 0x00]] });
    const d = decodeBmp(file);
    expect(px(d, 0, 0)).toEqual([255, 0, 0]);
    expect(px(d, 1, 0)).toEqual([0, 0, Math.round((16 * 255) / 31)]);
  });

  it('round-trips encodeBmp24', () => {
    const rgb = new Uint8Array(5 * 3 * 3).map((_, i) => (i * 37) % 256);
    const d = decodeBmp(encodeBmp24(rgb, 5, 3));
    expect(Array.from(d.data)).toEqual(Array.from(rgb));
  });

  it('reports truncation, RLE and pixel-limit problems with codes', () => {
    const good = encodeBmp24(new Uint8Array(4 * 4 * 3), 4, 4);
    const cut = good.subarray(0, good.length - 10);
    expect(() => decodeBmp(cut, 'cut.bmp')).toThrow(/cut\.bmp .*truncated/);
    const rle = bmp({ w: 1, h: 1, bpp: 8, compression: 1, rows: [[0, 0]] });
    let err: unknown;
    try {
      decodeBmp(rle, 'rle.bmp');
    } catch (e) {
      err = e;
    }
    expect(AppError.is(err, 'UNSUPPORTED')).toBe(true);
    expect(() => decodeBmp(good, 'big.bmp', 10)).toThrow(/4 × 4 pixels, over the limit of 10/);
    expect(isBmp(new TextEncoder().encode('BM hello'))).toBe(false);
  });
});
