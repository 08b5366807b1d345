// SPDX-License-Identifier: MIT
import type { EventName, EventPayload } from '../shared/ipc/contract';
import type { Db } from '../store/db';

/** What every domain service gets: the database, who is calling, and a way to push events to the UI. */
export interface ServiceContext {
  db: Db;
  mode: 'electron' | 'browser' | 'cli';
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /**
   * Folders the user chose in this session (dataset roots, photo folders, export targets).
   * Browser mode confines file access to them; see services/paths.ts.
   */
  allowedRoots: Set<string>;
}
