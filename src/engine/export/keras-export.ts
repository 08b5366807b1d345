// SPDX-License-Identifier: MIT
// Keras 3 `.keras` archives and legacy full-model `.h5` files, byte-reproducible: the HDF5
// weights come from weights/h5-export (Keras's own layouts), their object-header times are zeroed
// (h5-stable), config.json is Keras 3's serialisation (keras3-config), and the zip has fixed times.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import { EXPORT_KERAS_VERSION, legacyModelConfig, writeKeras3WeightsH5, writeLegacyModelH5 } from '../weights/h5-export';
import { h5Ready } from '../weights/h5-file';
import { text, ZIP_TIME } from './bundle';
import { stripH5Times } from './h5-stable';
import { keras3Config, pythonJson } from './keras3-config';

/** "%Y-%m-%d@%H:%M:%S" as saving_lib writes date_saved, from an ISO time (UTC). */
export function kerasDate(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}@${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

async function viaTemp(write: (file: string) => Promise<void>): Promise<Uint8Array> {
  const tmp = path.join(os.tmpdir(), `ts-export-${randomUUID()}.h5`);
  try {
    await write(tmp);
    const bytes = new Uint8Array(await fs.readFile(tmp));
    stripH5Times(bytes);
    return bytes;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Keras 3 `model.weights.h5` bytes (layers/<snake_name>/vars/<i>). */
export function keras3WeightsBytes(model: tf.LayersModel): Promise<Uint8Array> {
  return viaTemp((f) => writeKeras3WeightsH5(model, f));
}

/**
 * A `.keras` archive: metadata.json, config.json, model.weights.h5, in the order saving_lib writes
 * them; entries stored (ZipFile's default), stamped ZIP_TIME. `savedAt` is an ISO time.
 */
export async function kerasArchiveBytes(model: tf.LayersModel, savedAt: string): Promise<Uint8Array> {
  const weights = await keras3WeightsBytes(model);
  const metadata = pythonJson({ keras_version: EXPORT_KERAS_VERSION, date_saved: kerasDate(savedAt) });
  return zipSync(
    {
      'metadata.json': [text(metadata), { level: 0, mtime: ZIP_TIME }],
      'config.json': [text(pythonJson(keras3Config(model))), { level: 0, mtime: ZIP_TIME }],
      'model.weights.h5': [weights, { level: 0, mtime: ZIP_TIME }],
    },
    { mtime: ZIP_TIME },
  );
}

/**
 * Legacy `model.save('x.h5')` bytes: model_config, keras_version, backend, model_weights.
 * tfjs names a functional model's class 'Model'; Keras 3 (and tf.keras >= 2.4) write 'Functional'.
 */
export function legacyH5Bytes(model: tf.LayersModel): Promise<Uint8Array> {
  return viaTemp(async (file) => {
    await writeLegacyModelH5(model, file, { weightNames: 'keras3' });
    const h5 = await h5Ready();
    const f = new h5.File(file, 'a');
    try {
      const cfg = JSON.parse(legacyModelConfig(model)) as { class_name: string };
      if (cfg.class_name === 'Model') cfg.class_name = 'Functional';
      f.delete_attribute('model_config');
      f.create_attribute('model_config', JSON.stringify(cfg));
    } finally {
      f.close();
    }
  });
}
