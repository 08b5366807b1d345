// SPDX-License-Identifier: MIT
// Entry of the engine host process. Under Electron's utilityProcess the parent talks through
// process.parentPort; under child_process.fork (browser mode, tests) through process.send. The
// mode and the data folder come from the environment the parent set.
import { useProductionTf } from '../engine/backend/backend';
import { databasePath } from '../platform/paths';
import { createEngineApi } from '../services/api';
import type { FromHost } from '../shared/ipc/host-protocol';
import type { EventName, EventPayload } from '../shared/ipc/contract';
import { openDatabase } from '../store/db';
import { serveEngine, type HostPort } from './engine-host';

interface ElectronParentPort {
  postMessage(msg: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function parentPort(): HostPort {
  const electron = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electron) return { post: (m: FromHost) => electron.postMessage(m), onMessage: (fn) => electron.on('message', (e) => fn(e.data)) };
  if (!process.send) throw new Error('The engine host must be started by a UI process (child_process.fork or utilityProcess.fork).');
  // The UI process is gone: nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  return { post: (m: FromHost) => void process.send!(m), onMessage: (fn) => process.on('message', fn) };
}

const MODES = ['electron', 'browser', 'cli'] as const;
const mode = MODES.find((m) => m === process.env.TRANSFER_STUDIO_HOST_MODE) ?? 'browser';

useProductionTf();
const db = openDatabase(databasePath());
serveEngine(parentPort(), {
  api: (emit, allowedRoots) =>
    createEngineApi({ db, mode, allowedRoots, emit: <E extends EventName>(event: E, payload: EventPayload<E>) => emit(event, payload) }),
  onShutdown: () => {
    db.close();
    process.exit(0);
  },
});
