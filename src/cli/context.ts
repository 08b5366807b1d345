// SPDX-License-Identifier: MIT
// The CLI calls the same engine API as the app, in-process and through the same validating dispatch.
import { openDatabase, type Db } from '../store/db';
import { databasePath } from '../platform/paths';
import type { Input, Method, Output } from '../shared/ipc/contract';
import { dispatch } from '../shared/ipc/dispatch';

let db: Db | undefined;

export function cliDb(): Db {
  db ??= openDatabase(databasePath());
  return db;
}

export async function callEngine<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  // Loaded on first call: the engine behind the API is heavy, and not every command needs it.
  const { createEngineApi } = await import('../services/api');
  return (await dispatch(createEngineApi({ db: cliDb(), mode: 'cli' }), method, input)) as Output<M>;
}

export function closeCli(): void {
  db?.close();
  db = undefined;
}
