// SPDX-License-Identifier: MIT
// The engine API every transport serves: Electron IPC, browser mode and the CLI. Each domain's
// handlers live in their own module; merging them here is type-checked against the contract, so
// a method without a handler does not compile.
import type { EngineHandlers } from '../shared/ipc/contract';
import type { Db } from '../store/db';
import { appHandlers } from './app';
import { cacheHandlers } from './cache';
import { classifyHandlers } from './classify';
import type { ServiceContext } from './context';
import { exportHandlers } from './export';
import { fixesHandlers } from './dataset-fixes';
import { fsHandlers } from './fs-browser';
import { jobsHandlers } from './jobs';
import { datasetHandlers } from './datasets';
import { runsHandlers } from './runs';
import { runsImportHandlers } from './runs-import';
import { trainHandlers } from './train';
import { weightsHandlers } from './weights';

export type { ServiceContext } from './context';

export function createEngineApi(partial: Pick<ServiceContext, 'db' | 'mode'> & Partial<ServiceContext>): EngineHandlers {
  const ctx: ServiceContext = { emit: () => undefined, allowedRoots: new Set(), ...partial };
  return {
    ...appHandlers(ctx),
    ...cacheHandlers(ctx),
    ...classifyHandlers(ctx),
    ...exportHandlers(ctx),
    ...fsHandlers(ctx),
    ...jobsHandlers(ctx),
    ...datasetHandlers(ctx),
    ...runsHandlers(ctx),
    ...trainHandlers(ctx),
    ...runsImportHandlers(ctx),
    ...weightsHandlers(ctx),
    ...fixesHandlers(ctx),
  };
}

export type { Db };
