// SPDX-License-Identifier: MIT
// HDF5 (as h5wasm builds it) stamps every version-2 object header with access/modification/
// change/birth times, so two exports of one model differ. We zero those stamps and fix each
// header's checksum, which makes re-export byte-identical; h5py-written Keras files usually
// carry no times either (h5py's track_times defaults to False).

/** Bob Jenkins's lookup3 `hashlittle`, the checksum HDF5 puts on metadata (H5_checksum_lookup3). */
export function lookup3(data: Uint8Array, initval = 0): number {
  let a = (0xdeadbeef + data.length + initval) >>> 0;
  let b = a;
  let c = a;
  const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  let i = 0;
  let len = data.length;
  const word = (o: number) => (data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24)) >>> 0;
  while (len > 12) {
    a = (a + word(i)) >>> 0;
    b = (b + word(i + 4)) >>> 0;
    c = (c + word(i + 8)) >>> 0;
    a = (a - c) >>> 0; a ^= rot(c, 4); c = (c + b) >>> 0;
    b = (b - a) >>> 0; b ^= rot(a, 6); a = (a + c) >>> 0;
    c = (c - b) >>> 0; c ^= rot(b, 8); b = (b + a) >>> 0;
    a = (a - c) >>> 0; a ^= rot(c, 16); c = (c + b) >>> 0;
    b = (b - a) >>> 0; b ^= rot(a, 19); a = (a + c) >>> 0;
    c = (c - b) >>> 0; c ^= rot(b, 4); b = (b + a) >>> 0;
    a >>>= 0; b >>>= 0; c >>>= 0;
    i += 12;
    len -= 12;
  }
  if (len === 0) return c;
  const tail = new Uint8Array(12);
  tail.set(data.subarray(i, i + len));
  const t = (o: number) => (tail[o] | (tail[o + 1] << 8) | (tail[o + 2] << 16) | (tail[o + 3] << 24)) >>> 0;
  a = (a + t(0)) >>> 0;
  b = (b + t(4)) >>> 0;
  c = (c + t(8)) >>> 0;
  c ^= b; c = (c - rot(b, 14)) >>> 0;
  a ^= c; a = (a - rot(c, 11)) >>> 0;
  b ^= a; b = (b - rot(a, 25)) >>> 0;
  c ^= b; c = (c - rot(b, 16)) >>> 0;
  a ^= c; a = (a - rot(c, 4)) >>> 0;
  b ^= a; b = (b - rot(a, 14)) >>> 0;
  c ^= b; c = (c - rot(b, 24)) >>> 0;
  return c >>> 0;
}

const OHDR = [0x4f, 0x48, 0x44, 0x52];

/**
 * Zeroes the times in every version-2 object header ("OHDR") whose checksum verifies, and rewrites
 * the checksum. Headers whose checksum does not verify are left alone, so weight bytes that happen
 * to spell "OHDR" are never touched. Returns the number of headers changed; edits `bytes` in place.
 */
export function stripH5Times(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let changed = 0;
  for (let p = bytes.indexOf(OHDR[0]); p >= 0 && p + 8 <= bytes.length; p = bytes.indexOf(OHDR[0], p + 1)) {
    if (bytes[p + 1] !== OHDR[1] || bytes[p + 2] !== OHDR[2] || bytes[p + 3] !== OHDR[3] || bytes[p + 4] !== 2) continue;
    const flags = bytes[p + 5];
    if (!(flags & 0x20)) continue;
    let q = p + 6 + 16;
    if (flags & 0x10) q += 4;
    const width = 1 << (flags & 3);
    if (q + width > bytes.length) continue;
    let size = 0;
    for (let k = width - 1; k >= 0; k--) size = size * 256 + bytes[q + k];
    const end = q + width + size;
    if (end + 4 > bytes.length) continue;
    if (lookup3(bytes.subarray(p, end)) !== view.getUint32(end, true)) continue;
    bytes.fill(0, p + 6, p + 22);
    view.setUint32(end, lookup3(bytes.subarray(p, end)), true);
    changed++;
  }
  return changed;
}
