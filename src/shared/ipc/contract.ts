// SPDX-License-Identifier: MIT
// The one contract between the UI and the engine. Every call the renderer (Electron or browser
// mode) or the CLI can make is declared here once, with runtime schemas for input and output;
// the types below are derived from it, so a handler that drifts is a compile error.
import { z } from 'zod';
import { DoctorReportSchema } from '../dto/doctor';
import { ModelDetailSchema, ModelSummarySchema } from '../dto/models';
import { ProjectSchema } from '../dto/project';

const Empty = z.object({}).strict();
const Id = z.object({ id: z.number().int().positive() }).strict();

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  mode: z.enum(['electron', 'browser', 'cli']),
  steps: z.array(z.object({ id: z.string(), title: z.string() })),
});

export const contract = {
  'app.info': { input: Empty, output: AppInfoSchema },
  'doctor.report': { input: z.object({ integrity: z.boolean().optional() }).strict(), output: DoctorReportSchema },
  'models.list': { input: z.object({ kind: z.enum(['keras', 'classic']).optional() }).strict(), output: z.array(ModelSummarySchema) },
  'models.show': { input: z.object({ id: z.string().min(1).max(64) }).strict(), output: ModelDetailSchema },
  'projects.list': { input: Empty, output: z.array(ProjectSchema) },
  'projects.create': { input: z.object({ name: z.string().trim().min(1).max(200) }).strict(), output: ProjectSchema },
  'projects.delete': { input: Id, output: z.object({ deleted: z.boolean() }) },
} as const;

export type Method = keyof typeof contract;
export type Input<M extends Method> = z.input<(typeof contract)[M]['input']>;
export type Output<M extends Method> = z.output<(typeof contract)[M]['output']>;

/** What main, the browser-mode server and the CLI implement; what the renderer calls. */
export type EngineApi = { [M in Method]: (input: Input<M>) => Promise<Output<M>> };

export const METHODS = Object.keys(contract) as Method[];

export function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Events pushed from the engine to every connected UI (progress, logs, metrics). */
export const events = {
  'job.progress': z.object({
    jobId: z.string(),
    kind: z.string(),
    done: z.number(),
    total: z.number().optional(),
    message: z.string().optional(),
    rate: z.number().optional(),
    etaSeconds: z.number().optional(),
  }),
  'train.batch': z.object({ runId: z.number(), phase: z.number(), epoch: z.number(), batch: z.number(), loss: z.number(), acc: z.number(), lr: z.number(), imagesPerSec: z.number(), etaSeconds: z.number().optional() }),
  'train.epoch': z.object({ runId: z.number(), phase: z.number(), epoch: z.number(), loss: z.number(), acc: z.number(), valLoss: z.number().optional(), valAcc: z.number().optional(), lr: z.number(), seconds: z.number() }),
  log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']), scope: z.string(), message: z.string(), time: z.string() }),
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** The IPC channel of a method: derived, never typed by hand. */
export const channelOf = (method: Method): string => `engine:${method}`;
export const EVENT_CHANNEL = 'engine:event';
