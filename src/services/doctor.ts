// SPDX-License-Identifier: MIT
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { DoctorReport } from '../shared/dto/doctor';
import { probeBackends } from '../engine/backend/backend';
import { gpuRequirements } from '../engine/backend/native';
import { databasePath, dataDir, kerasCacheDir } from '../platform/paths';
import { integrityCheck, openDatabase, schemaVersion } from '../store/db';
import { LATEST_SCHEMA_VERSION } from '../store/migrations/index';
import { APP_NAME, APP_VERSION } from './app-info';
import { imageCacheStatus } from './cache';

const require = createRequire(import.meta.url);

/** Electron is optional: its installer downloads a binary, which fails on machines without internet. */
export function electronStatus(): DoctorReport['electron'] {
  let pkgDir: string;
  let version: string;
  try {
    const pkgJson = require.resolve('electron/package.json');
    pkgDir = path.dirname(pkgJson);
    version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  } catch {
    return { installed: false, reason: 'Electron binary not installed: the electron package is absent (its installer downloads the binary, which needs internet access)' };
  }
  const pathTxt = path.join(pkgDir, 'path.txt');
  if (!existsSync(pathTxt) || !existsSync(path.join(pkgDir, 'dist', readFileSync(pathTxt, 'utf8').trim()))) {
    return { installed: false, version, reason: `Electron binary not installed: electron ${version} is present but its download did not complete` };
  }
  return { installed: true, version };
}

export function onnxRuntimeStatus(): DoctorReport['onnxruntime'] {
  try {
    const version = (JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
    require('onnxruntime-node');
    return { available: true, version };
  } catch (err) {
    return { available: false, reason: `onnxruntime-node failed to load: ${(err as Error).message.split('\n')[0]}` };
  }
}

function gpuStatus(): DoctorReport['gpu'] {
  const nvidia = '/proc/driver/nvidia/version';
  const tfjsNodeGpu = gpuRequirements();
  if (existsSync(nvidia)) return { visible: true, details: readFileSync(nvidia, 'utf8').split('\n')[0], tfjsNodeGpu };
  if (process.platform === 'linux') return { visible: false, details: 'no NVIDIA driver found (/proc/driver/nvidia is absent)', tfjsNodeGpu };
  return { visible: false, details: `GPU detection is not implemented for ${process.platform}; tfjs-node-gpu decides at load time`, tfjsNodeGpu };
}

function kerasCacheStatus(): DoctorReport['kerasCache'] {
  const dir = kerasCacheDir();
  if (!existsSync(dir)) return { dir, exists: false, files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(dir)) {
    const st = statSync(path.join(dir, name), { throwIfNoEntry: false });
    if (st?.isFile()) {
      files++;
      bytes += st.size;
    }
  }
  return { dir, exists: true, files, bytes };
}

function databaseStatus(integrity: boolean): DoctorReport['database'] {
  const file = databasePath();
  const base = { path: file, exists: existsSync(file), schemaVersion: 0, latestSchemaVersion: LATEST_SCHEMA_VERSION };
  if (!base.exists) return base;
  try {
    const db = openDatabase(file);
    try {
      return { ...base, schemaVersion: schemaVersion(db), ...(integrity ? { integrity: integrityCheck(db) } : {}) };
    } finally {
      db.close();
    }
  } catch (err) {
    return { ...base, error: (err as Error).message };
  }
}

/** An honest report of what this machine can run. Reads only; starts no backend. */
export function doctorReport(opts: { integrity?: boolean } = {}): DoctorReport {
  const backends = probeBackends();
  return {
    app: { name: APP_NAME, version: APP_VERSION },
    platform: { os: `${os.type()} ${os.release()}`, arch: process.arch, cpus: os.availableParallelism(), memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10 },
    node: process.versions.node,
    electron: electronStatus(),
    backends,
    selectedBackend: backends.find((b) => b.available)?.name ?? 'none',
    onnxruntime: onnxRuntimeStatus(),
    gpu: gpuStatus(),
    kerasCache: kerasCacheStatus(),
    dataDir: dataDir(),
    imageCache: imageCacheStatus(),
    database: databaseStatus(opts.integrity ?? false),
  };
}
