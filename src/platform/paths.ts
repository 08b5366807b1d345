// SPDX-License-Identifier: MIT
// Where the app keeps its data, computed without Electron so the CLI and browser mode agree with
// the desktop app: Electron's userData is <appData>/<productName>, and appData follows each OS.
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'Transfer Studio';

export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME ?? os.homedir();
  if (platform === 'win32') return env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support');
  return env.XDG_CONFIG_HOME || path.join(home, '.config');
}

/** `TRANSFER_STUDIO_HOME` wins; otherwise the same folder Electron's app.getPath('userData') gives. */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TRANSFER_STUDIO_HOME) return path.resolve(env.TRANSFER_STUDIO_HOME);
  return path.join(appDataDir(env, platform), PRODUCT_NAME);
}

export function databasePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'transfer-studio.db');
}

/** Keras's own cache: `$KERAS_HOME/models`, else `~/.keras/models` (so Keras and this app share downloads). */
export function kerasCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const kerasHome = env.KERAS_HOME ? path.resolve(env.KERAS_HOME) : path.join(env.HOME ?? os.homedir(), '.keras');
  return path.join(kerasHome, 'models');
}

/** Per-run artifacts (checkpoints, trained models, feature caches) live under the data folder. */
export function runsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'runs');
}

export function featureCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'feature-cache');
}

/** Decoded images at their working size (engine/data/image-cache.ts), shared by every run and job. */
export function imageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDir(env), 'image-cache');
}
