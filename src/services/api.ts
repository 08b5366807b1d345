// SPDX-License-Identifier: MIT
// The engine API every transport serves: Electron IPC, browser mode and the CLI call these.
import type { EngineApi } from '../shared/ipc/contract';
import type { Db } from '../store/db';
import { createProject, deleteProject, listProjects } from '../store/repos/projects';
import { APP_NAME, APP_VERSION, WIZARD_STEPS } from './app-info';
import { doctorReport } from './doctor';
import { describeModel, listModelSummaries } from './models';

export interface ServiceContext {
  db: Db;
  mode: 'electron' | 'browser' | 'cli';
}

export function createEngineApi(ctx: ServiceContext): EngineApi {
  return {
    'app.info': async () => ({ name: APP_NAME, version: APP_VERSION, mode: ctx.mode, steps: WIZARD_STEPS.map((s) => ({ ...s })) }),
    'doctor.report': async ({ integrity }) => doctorReport({ integrity }),
    'models.list': async ({ kind }) => listModelSummaries(kind),
    'models.show': async ({ id }) => describeModel(id),
    'projects.list': async () => listProjects(ctx.db),
    'projects.create': async ({ name }) => createProject(ctx.db, name),
    'projects.delete': async ({ id }) => ({ deleted: deleteProject(ctx.db, id) }),
  };
}
