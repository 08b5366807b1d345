// SPDX-License-Identifier: MIT
// End-of-epoch checkpoints: model weights, optimizer slots, loop state and RNG state, written
// to a temporary directory, fsynced and renamed, then published through a LATEST pointer that
// is itself replaced by rename. A crash at any point leaves the previous checkpoint intact.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { EpochRecord, Phase } from './types';

export const CHECKPOINT_VERSION = 1;

interface PackEntry {
  key: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}

/** The loop's state after a complete epoch. */
export interface LoopState {
  version: number;
  /** Phase the next epoch belongs to, and epochs already done in it. */
  phase: Phase;
  epochsDone: number;
  /** Batches already run in this phase (drives the learning-rate schedule). */
  step: number;
  /** Epochs since the last improvement of validation loss (early stopping). */
  wait: number;
  /** True once the phase finished (early stop or last epoch) and the next epoch starts phase 2. */
  phaseFinished: boolean;
  best: { valLoss: number; phase: Phase; epoch: number } | null;
  history: EpochRecord[];
  rngState: number;
  optimizer: { name: string; slots: PackEntry[] };
  /** A hash of the config fields that must match to resume (backbone, classes, sizes). */
  fingerprint: string;
}

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Weights keyed by layer position and short name, so auto-generated unique names do not matter. */
export function modelWeightEntries(model: tf.LayersModel): NamedTensor[] {
  const out: NamedTensor[] = [];
  model.layers.forEach((layer, i) => {
    for (const w of layer.weights) {
      const short = w.originalName.split('/').pop() ?? w.originalName;
      out.push({ name: `${i}/${short}`, tensor: w.read() });
    }
  });
  return out;
}

/** Restores what `modelWeightEntries` produced. @throws AppError FILE_CORRUPT on any mismatch. */
export function setModelWeightEntries(model: tf.LayersModel, entries: readonly NamedTensor[], source: string): void {
  const byKey = new Map(entries.map((e) => [e.name, e.tensor]));
  model.layers.forEach((layer, i) => {
    for (const w of layer.weights) {
      const key = `${i}/${w.originalName.split('/').pop()}`;
      const t = byKey.get(key);
      if (!t || !tf.util.arraysEqual(t.shape, w.shape as number[])) {
        throw new AppError('FILE_CORRUPT', `Checkpoint ${source} does not match the model: weight ${key} (${w.originalName}, shape ${JSON.stringify(w.shape)}) is ${t ? `shape ${JSON.stringify(t.shape)}` : 'missing'}. Start the run again without --resume.`, { key });
      }
      w.write(t);
    }
  });
}

async function packTensors(list: readonly NamedTensor[]): Promise<{ entries: PackEntry[]; data: Buffer }> {
  const entries: PackEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const { name, tensor } of list) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const values = dtype === 'int32' ? Int32Array.from(await tensor.data()) : Float32Array.from(await tensor.data());
    const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    entries.push({ key: name, shape: tensor.shape, dtype, offset, length: buf.byteLength });
    chunks.push(buf);
    offset += buf.byteLength;
  }
  return { entries, data: Buffer.concat(chunks) };
}

function unpackTensors(entries: readonly PackEntry[], data: Buffer, source: string): NamedTensor[] {
  return entries.map((e) => {
    if (e.offset + e.length > data.byteLength) {
      throw new AppError('FILE_CORRUPT', `Checkpoint file ${source} is truncated at tensor ${e.key}. Start the run again without --resume.`, { key: e.key });
    }
    const bytes = data.subarray(e.offset, e.offset + e.length);
    const copy = new Uint8Array(bytes).buffer;
    const values = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    return { name: e.key, tensor: tf.tensor(values, e.shape, e.dtype) };
  });
}

async function writeSynced(file: string, data: string | Buffer): Promise<void> {
  const fh = await fs.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Directory fsync makes the rename durable; some platforms (Windows) refuse it, which is harmless.
  try {
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* not supported on this platform */
  }
}

/** Writes `files` into `dir/name` atomically (temp dir, fsync, rename over any old one). */
async function writeDirAtomic(dir: string, name: string, files: Record<string, string | Buffer>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.tmp-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  for (const [file, data] of Object.entries(files)) await writeSynced(path.join(tmp, file), data);
  await syncDir(tmp);
  const final = path.join(dir, name);
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(tmp, final);
  await syncDir(dir);
}

async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeSynced(tmp, data);
  await fs.rename(tmp, file);
  await syncDir(path.dirname(file));
}

/** Saves a complete end-of-epoch checkpoint and points LATEST at it; older ones are removed. */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizerWeights: readonly NamedTensor[],
  state: Omit<LoopState, 'optimizer' | 'version'> & { optimizerName: string },
): Promise<string> {
  const weights = await packTensors(modelWeightEntries(model));
  const slots = await packTensors(optimizerWeights);
  const { optimizerName, ...rest } = state;
  const full: LoopState = { version: CHECKPOINT_VERSION, ...rest, optimizer: { name: optimizerName, slots: slots.entries } };
  const name = `ckpt-p${state.phase}-e${String(state.history.length).padStart(4, '0')}`;
  await writeDirAtomic(dir, name, {
    'weights.json': JSON.stringify(weights.entries),
    'weights.bin': weights.data,
    'optimizer.bin': slots.data,
    'state.json': JSON.stringify(full),
  });
  await writeFileAtomic(path.join(dir, 'LATEST'), name);
  for (const entry of await fs.readdir(dir)) {
    if (entry.startsWith('ckpt-') && entry !== name) await fs.rm(path.join(dir, entry), { recursive: true, force: true });
  }
  return path.join(dir, name);
}

/**
 * The epochs a directory's latest checkpoint (and its phase2/ folder's) has completed, read from
 * state.json alone (no tensors). The caller's record of epochs can lag the checkpoint: a process
 * killed after publishing LATEST but before its epoch row was stored would otherwise lose that row.
 */
export async function checkpointHistory(dir: string): Promise<EpochRecord[]> {
  const byKey = new Map<string, EpochRecord>();
  for (const d of [dir, path.join(dir, 'phase2')]) {
    let name: string;
    try {
      name = (await fs.readFile(path.join(d, 'LATEST'), 'utf8')).trim();
    } catch {
      continue;
    }
    const state = await readJson<LoopState>(path.join(d, name, 'state.json'));
    for (const e of state.history) byKey.set(`${e.phase}:${e.epoch}`, e);
  }
  return [...byKey.values()].sort((a, b) => a.phase - b.phase || a.epoch - b.epoch);
}

export interface LoadedCheckpoint {
  state: LoopState;
  weights: NamedTensor[];
  optimizer: NamedTensor[];
  path: string;
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    throw new AppError('FILE_CORRUPT', `Checkpoint file ${file} cannot be read: ${(err as Error).message}. Start the run again without --resume.`, { file }, { cause: err });
  }
}

/** The checkpoint LATEST points at, or null when the directory holds none. */
export async function loadLatestCheckpoint(dir: string): Promise<LoadedCheckpoint | null> {
  let name: string;
  try {
    name = (await fs.readFile(path.join(dir, 'LATEST'), 'utf8')).trim();
  } catch {
    return null;
  }
  const at = path.join(dir, name);
  const state = await readJson<LoopState>(path.join(at, 'state.json'));
  if (state.version !== CHECKPOINT_VERSION) {
    throw new AppError('UNSUPPORTED', `Checkpoint ${at} has version ${state.version}; this build reads version ${CHECKPOINT_VERSION}.`, { received: state.version });
  }
  const entries = await readJson<PackEntry[]>(path.join(at, 'weights.json'));
  const weights = unpackTensors(entries, await fs.readFile(path.join(at, 'weights.bin')), path.join(at, 'weights.bin'));
  const optimizer = unpackTensors(state.optimizer.slots, await fs.readFile(path.join(at, 'optimizer.bin')), path.join(at, 'optimizer.bin'));
  return { state, weights, optimizer, path: at };
}

/** Saves the best-so-far weights to `dir/best` (atomically). */
export async function saveBestWeights(dir: string, model: tf.LayersModel): Promise<void> {
  const weights = await packTensors(modelWeightEntries(model));
  await writeDirAtomic(dir, 'best', { 'weights.json': JSON.stringify(weights.entries), 'weights.bin': weights.data });
}

/** The weights `saveBestWeights` wrote, or null. */
export async function loadBestWeights(dir: string): Promise<NamedTensor[] | null> {
  const at = path.join(dir, 'best');
  let entries: PackEntry[];
  try {
    entries = JSON.parse(await fs.readFile(path.join(at, 'weights.json'), 'utf8')) as PackEntry[];
  } catch {
    return null;
  }
  return unpackTensors(entries, await fs.readFile(path.join(at, 'weights.bin')), path.join(at, 'weights.bin'));
}
