// SPDX-License-Identifier: MIT
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appRoot } from '../platform/app-root';

const pkg = JSON.parse(readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string };

export const APP_NAME = 'Transfer Studio';
export const APP_VERSION = pkg.version;

/** The wizard's steps, in order; the renderer shows them as navigation. */
export const WIZARD_STEPS = [
  { id: 'projects', title: 'Projects' },
  { id: 'backbone', title: 'Backbone' },
  { id: 'dataset', title: 'Dataset' },
  { id: 'freeze', title: 'Freeze' },
  { id: 'train', title: 'Train' },
  { id: 'runs', title: 'Runs' },
  { id: 'evaluate', title: 'Evaluate' },
  { id: 'export', title: 'Export' },
  { id: 'classify', title: 'Classify' },
  { id: 'doctor', title: 'Doctor' },
] as const;

/** The app's own facts: a UI process answers app.info itself, without waiting on the engine host. */
export const appInfo = (mode: 'electron' | 'browser' | 'cli') => ({ name: APP_NAME, version: APP_VERSION, mode, steps: WIZARD_STEPS.map((s) => ({ ...s })) });
