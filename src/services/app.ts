// SPDX-License-Identifier: MIT
import type { Handlers } from '../shared/ipc/contract';
import type { appMethods } from '../shared/ipc/methods/app';
import { createProject, deleteProject, listProjects } from '../store/repos/projects';
import { appInfo } from './app-info';
import type { ServiceContext } from './context';
import { doctorReport } from './doctor';
import { defaultModelInfo, describeModel, listModelSummaries } from './models';

export function appHandlers(ctx: ServiceContext): Handlers<typeof appMethods> {
  return {
    'app.info': async () => appInfo(ctx.mode),
    'doctor.report': async ({ integrity }) => doctorReport({ integrity }),
    'models.list': async ({ kind }) => listModelSummaries(kind),
    'models.default': async () => defaultModelInfo(),
    'models.show': async ({ id }) => describeModel(id),
    'projects.list': async () => listProjects(ctx.db),
    'projects.create': async ({ name }) => createProject(ctx.db, name),
    'projects.delete': async ({ id }) => ({ deleted: deleteProject(ctx.db, id) }),
  };
}
