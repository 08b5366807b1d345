// SPDX-License-Identifier: MIT
// The messages between a UI process (Electron main, the browser-mode server) and the engine host
// process. Both sides parse every message with these schemas, so neither trusts the other's shape:
// the host also validates each call's input with the contract (dispatch), and the UI side
// validates each result and event against the contract before passing it on.
import { z } from 'zod';
import { ERROR_CODES } from '../errors';

const CallId = z.number().int().nonnegative();

/** UI process → host. */
export const ToHostSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: CallId, method: z.string().max(100), input: z.unknown() }).strict(),
  /** A folder the user chose in a native dialog (Electron): browser-mode confinement lets it in. */
  z.object({ t: z.literal('allowRoot'), path: z.string().min(1).max(4096) }).strict(),
  z.object({ t: z.literal('shutdown') }).strict(),
]);
export type ToHost = z.infer<typeof ToHostSchema>;

export const SerializedErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });

/** Host → UI process. */
export const FromHostSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('ready'), pid: z.number().int().positive() }).strict(),
  z.object({ t: z.literal('result'), id: CallId, result: z.unknown() }).strict(),
  z.object({ t: z.literal('error'), id: CallId, error: SerializedErrorSchema }).strict(),
  z.object({ t: z.literal('event'), event: z.string().max(100), payload: z.unknown() }).strict(),
]);
export type FromHost = z.infer<typeof FromHostSchema>;
