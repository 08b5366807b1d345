// SPDX-License-Identifier: MIT
// Thin, checked access to HDF5 through h5wasm (the HDF5 C library compiled to wasm; its node build
// reads and writes real paths). Every failure becomes an AppError that names the file.
import { open, stat } from 'node:fs/promises';
import * as h5wasm from 'h5wasm/node';
import { AppError } from '../../shared/errors';

export type H5File = h5wasm.File;
export type H5Group = h5wasm.Group;
export type H5Dataset = h5wasm.Dataset;

/** One array read from a file, as float32 (what every tfjs variable here holds). */
export interface SavedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Keras legacy_h5_format: attributes larger than this are split into `name0`, `name1`, ... */
export const HDF5_OBJECT_HEADER_LIMIT = 64512;

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function h5Ready(): Promise<typeof h5wasm> {
  await h5wasm.ready;
  return h5wasm;
}

export function corrupt(file: string, what: string, cause?: unknown): AppError {
  return new AppError('FILE_CORRUPT', `${file} is not a usable Keras weights file: ${what}. Download or export it again.`, { file }, { cause });
}

/** HDF5 puts its signature at 0, 512, 1024, 2048, ... (after an optional user block). */
async function hasSignature(file: string, size: number): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= size && off <= 1 << 20; off = off === 0 ? 512 : off * 2) {
      await fh.read(buf, 0, 8, off);
      if (buf.equals(SIGNATURE)) return true;
    }
    return false;
  } finally {
    await fh.close();
  }
}

/**
 * Opens an HDF5 file for reading.
 * @throws AppError NOT_FOUND, FILE_UNREADABLE, or FILE_CORRUPT (not HDF5, truncated).
 */
export async function openH5(file: string): Promise<H5File> {
  const h5 = await h5Ready();
  let size: number;
  try {
    size = (await stat(file)).size;
    if (!(await hasSignature(file, size))) throw corrupt(file, 'it has no HDF5 signature');
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('NOT_FOUND', `No such weights file: ${file}. Check the path.`, { file }, { cause: err });
    throw new AppError('FILE_UNREADABLE', `Cannot read ${file}: ${(err as Error).message}`, { file }, { cause: err });
  }
  try {
    return new h5.File(file, 'r');
  } catch (err) {
    throw corrupt(file, `HDF5 could not open it (truncated or damaged, ${size} bytes)`, err);
  }
}

export function isGroup(x: unknown): x is H5Group {
  return x instanceof h5wasm.Group;
}

export function isDataset(x: unknown): x is H5Dataset {
  return x instanceof h5wasm.Dataset;
}

/** A child group, or a FILE_CORRUPT error naming what is missing. */
export function getGroup(parent: H5Group, name: string, file: string): H5Group {
  let g: unknown;
  try {
    g = parent.get(name);
  } catch (err) {
    throw corrupt(file, `group ${parent.path}/${name} cannot be read`, err);
  }
  if (!isGroup(g)) throw corrupt(file, `group ${joinPath(parent.path, name)} is missing`);
  return g;
}

function joinPath(a: string, b: string): string {
  return a === '/' ? `/${b}` : `${a}/${b}`;
}

export function hasAttr(obj: H5Group, name: string): boolean {
  try {
    return Object.prototype.hasOwnProperty.call(obj.attrs, name);
  } catch {
    return false;
  }
}

function decodeString(v: unknown): string {
  if (typeof v === 'string') return v.replace(/\0+$/, '');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8').replace(/\0+$/, '');
  return String(v);
}

/** A string attribute (fixed or variable length), or undefined when absent. */
export function stringAttr(obj: H5Group, name: string, file: string): string | undefined {
  if (!hasAttr(obj, name)) return undefined;
  try {
    const v = obj.attrs[name].value;
    return Array.isArray(v) ? decodeString(v[0]) : decodeString(v);
  } catch (err) {
    throw corrupt(file, `attribute ${name} of ${obj.path} cannot be read`, err);
  }
}

/**
 * A list-of-strings attribute as Keras's load_attributes_from_hdf5_group reads it: `name`, or the
 * chunks `name0`, `name1`, ... that Keras writes when the list exceeds the object-header limit.
 */
export function stringListAttr(obj: H5Group, name: string, file: string): string[] | undefined {
  const read = (n: string): string[] => {
    try {
      const v = obj.attrs[n].value;
      // Keras writes an empty list as np.asarray([]): a float64 array of length 0.
      if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array)) return Array.from(v as unknown as ArrayLike<unknown>, decodeString);
      return (Array.isArray(v) ? v : [v]).map(decodeString);
    } catch (err) {
      throw corrupt(file, `attribute ${n} of ${obj.path} cannot be read`, err);
    }
  };
  if (hasAttr(obj, name)) return read(name);
  if (!hasAttr(obj, `${name}0`)) return undefined;
  const out: string[] = [];
  for (let i = 0; hasAttr(obj, `${name}${i}`); i++) out.push(...read(`${name}${i}`));
  return out;
}

/** Reads a dataset as float32 with its shape ([] for a scalar). */
export function readArray(group: H5Group, name: string, file: string): SavedArray {
  let ds: unknown;
  try {
    ds = group.get(name);
  } catch (err) {
    throw corrupt(file, `dataset ${joinPath(group.path, name)} cannot be read`, err);
  }
  if (!isDataset(ds)) throw corrupt(file, `dataset ${joinPath(group.path, name)} is missing`);
  try {
    const shape = ds.shape ?? [];
    const v = ds.value;
    let values: Float32Array;
    if (v instanceof Float32Array) values = v;
    else if (ArrayBuffer.isView(v)) values = Float32Array.from(v as unknown as ArrayLike<number>, Number);
    else if (typeof v === 'number' || typeof v === 'bigint') values = Float32Array.of(Number(v));
    else throw new Error(`unsupported dtype ${JSON.stringify(ds.dtype)}`);
    const expected = shape.reduce((a, b) => a * b, 1);
    if (values.length !== expected) throw new Error(`holds ${values.length} values for shape [${shape}]`);
    return { name, shape, values };
  } catch (err) {
    throw corrupt(file, `dataset ${joinPath(group.path, name)} cannot be read (${(err as Error).message})`, err);
  }
}

/** Writes a list of strings as Keras does: fixed-length byte strings, split into chunks past the header limit. */
export function writeStringListAttr(obj: H5Group, name: string, values: string[]): void {
  const width = Math.max(1, ...values.map((s) => Buffer.byteLength(s, 'utf8')));
  const chunks: string[][] = [];
  let n = 1;
  // np.array_split semantics: n nearly equal chunks, increasing n until each fits.
  for (;;) {
    chunks.length = 0;
    const base = Math.floor(values.length / n);
    const extra = values.length % n;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const len = base + (i < extra ? 1 : 0);
      chunks.push(values.slice(at, at + len));
      at += len;
    }
    if (chunks.every((c) => c.length * width <= HDF5_OBJECT_HEADER_LIMIT)) break;
    n++;
  }
  // 'A<n>' is h5wasm's fixed-length ASCII type; h5py reads it as numpy bytes `S<n>`, as Keras expects.
  // An empty list is what h5py makes of np.asarray([]): a float64 array of shape (0,).
  if (values.length === 0) obj.create_attribute(name, new Float64Array(0), [0]);
  else if (n === 1) obj.create_attribute(name, values, [values.length], `A${width}`);
  else chunks.forEach((c, i) => obj.create_attribute(`${name}${i}`, c, [c.length], `A${width}`));
}

/** A scalar fixed-length byte string (numpy bytes), as Keras writes `backend` and `keras_version`. */
export function writeBytesAttr(obj: H5Group, name: string, value: string): void {
  obj.create_attribute(name, value, [], `A${Math.max(1, Buffer.byteLength(value, 'utf8'))}`);
}
