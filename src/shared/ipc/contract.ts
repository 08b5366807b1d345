// SPDX-License-Identifier: MIT
// The one contract between the UI and the engine. Every call the renderer (Electron or browser
// mode) or the CLI can make is declared here once, with runtime schemas for input and output;
// the types below are derived from it, so a handler that drifts is a compile error.
import { z } from 'zod';
import { appMethods } from './methods/app';
import { cacheMethods } from './methods/cache';
import { classifyMethods } from './methods/classify';
import { exportMethods } from './methods/export';
import { fixesMethods } from './methods/fixes';
import { fsMethods } from './methods/fs';
import { JobKindSchema, jobsMethods } from './methods/jobs';
import { runsMethods } from './methods/runs';
import { runsImportMethods } from './methods/runs-import';
import { trainMethods } from './methods/train';
import { weightsMethods } from './methods/weights';

export { AppInfoSchema } from './methods/app';

/**
 * Each domain declares its methods in ./methods/<domain>.ts; they are merged here by hand so this
 * file stays the one place that lists what the engine offers.
 */
export const contract = {
  ...appMethods,
  ...cacheMethods,
  ...classifyMethods,
  ...exportMethods,
  ...fsMethods,
  ...runsMethods,
  ...jobsMethods,
  ...trainMethods,
  ...runsImportMethods,
  ...weightsMethods,
  ...fixesMethods,
} as const;

export type Method = keyof typeof contract;
export type Input<M extends Method> = z.input<(typeof contract)[M]['input']>;
export type Output<M extends Method> = z.output<(typeof contract)[M]['output']>;

/** What the renderer and the CLI call. */
export type EngineApi = { [M in Method]: (input: Input<M>) => Promise<Output<M>> };

export interface MethodDef {
  input: z.ZodType;
  output: z.ZodType;
}

/** What a domain's service implements: it receives validated input and returns what its output schema accepts. */
export type Handlers<T extends Record<string, MethodDef>> = {
  [M in keyof T]: (input: z.output<T[M]['input']>) => Promise<z.input<T[M]['output']>>;
};

/** The engine side of the whole contract: main, the browser-mode server and the CLI serve it. */
export type EngineHandlers = Handlers<typeof contract>;

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
  /** The end of a job that runs inside one call (import, eval, export): the call answers at the same time. */
  'job.status': z.object({ jobId: z.string(), kind: JobKindSchema, status: z.enum(['running', 'completed', 'failed', 'cancelled']), error: z.string().optional() }),
  'train.batch': z.object({ runId: z.number(), phase: z.number(), epoch: z.number(), batch: z.number(), batches: z.number().optional(), loss: z.number(), acc: z.number(), lr: z.number(), imagesPerSec: z.number(), etaSeconds: z.number().optional() }),
  'train.epoch': z.object({ runId: z.number(), phase: z.number(), epoch: z.number(), loss: z.number(), acc: z.number(), valLoss: z.number().optional(), valAcc: z.number().optional(), lr: z.number(), seconds: z.number(), imagesPerSec: z.number().optional() }),
  'train.status': z.object({ runId: z.number(), status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']), error: z.string().optional() }),
  log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error']), scope: z.string(), message: z.string(), time: z.string() }),
} as const;

export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

/** The IPC channel of a method: derived, never typed by hand. */
export const channelOf = (method: Method): string => `engine:${method}`;
export const EVENT_CHANNEL = 'engine:event';
