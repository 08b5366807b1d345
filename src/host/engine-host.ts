// SPDX-License-Identifier: MIT
// The engine host: the process that runs the services (engine + store) for a UI process, so heavy
// work (evaluation, export, classification, import) never blocks a window or the browser-mode
// server's event loop. It speaks the contract over a message port: one call in, one result out,
// events pushed as they happen. Transport-agnostic: host-entry.ts binds it to Node's IPC channel
// (child_process.fork) or to Electron's utilityProcess parentPort.
import { serializeError } from '../shared/errors';
import type { EngineHandlers } from '../shared/ipc/contract';
import { dispatch } from '../shared/ipc/dispatch';
import { ToHostSchema, type FromHost } from '../shared/ipc/host-protocol';
import { addLogSink, createLogger } from '../platform/logger';

const log = createLogger('host');

export interface HostPort {
  post(msg: FromHost): void;
  onMessage(listener: (raw: unknown) => void): void;
}

export interface ServeOptions {
  /** Builds the API once the port exists, so the API's events reach the UI process. */
  api(emit: (event: string, payload: unknown) => void, allowedRoots: Set<string>): EngineHandlers;
  /** Called on 'shutdown' (default: exit the process). */
  onShutdown?: () => void;
}

export function serveEngine(port: HostPort, opts: ServeOptions): void {
  const emit = (event: string, payload: unknown) => port.post({ t: 'event', event, payload });
  const allowedRoots = new Set<string>();
  const api = opts.api(emit, allowedRoots);
  addLogSink((record) => emit('log', record));
  port.onMessage((raw) => {
    const parsed = ToHostSchema.safeParse(raw);
    if (!parsed.success) {
      log.error(`refused a malformed message from the UI process: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const msg = parsed.data;
    if (msg.t === 'allowRoot') allowedRoots.add(msg.path);
    else if (msg.t === 'shutdown') (opts.onShutdown ?? (() => process.exit(0)))();
    else {
      dispatch(api, msg.method, msg.input).then(
        (result) => port.post({ t: 'result', id: msg.id, result }),
        (err: unknown) => {
          const error = serializeError(err);
          if (error.code === 'INTERNAL') log.error(`${msg.method}: ${(err as Error).stack ?? error.message}`);
          port.post({ t: 'error', id: msg.id, error });
        },
      );
    }
  });
  port.post({ t: 'ready', pid: process.pid });
}
