// SPDX-License-Identifier: MIT
// The CLI calls the same engine API as the app, in-process and through the same validating dispatch:
// commands use callEngine / onEngineEvent, never the services themselves.
import { openDatabase, type Db } from '../store/db';
import { databasePath } from '../platform/paths';
import type { EngineHandlers, EventName, EventPayload, Input, Method, Output } from '../shared/ipc/contract';
import { dispatch } from '../shared/ipc/dispatch';

let db: Db | undefined;

export function cliDb(): Db {
  db ??= openDatabase(databasePath());
  return db;
}

type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
const listeners = new Set<EventListener>();
let api: EngineHandlers | undefined;

/**
 * Every command reaches the engine here: a contract call through the validating dispatch, on one
 * in-process API whose events reach the listeners of onEngineEvent. (Short commands gain nothing
 * from an engine host process: its start-up would cost more than they take.)
 */
export async function callEngine<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  // Loaded on first call: the engine behind the API is heavy, and not every command needs it.
  if (!api) {
    const { createEngineApi } = await import('../services/api');
    api ??= createEngineApi({ db: cliDb(), mode: 'cli', emit: (event, payload) => listeners.forEach((l) => l(event, payload)) });
  }
  return (await dispatch(api, method, input)) as Output<M>;
}

/** Listens to the engine's events (progress, training metrics, logs); returns a function that stops. */
export function onEngineEvent(listener: EventListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** callEngine, with `onEvent` listening for as long as the process runs. */
export function engineWithEvents(onEvent: EventListener): typeof callEngine {
  onEngineEvent(onEvent);
  return callEngine;
}

export function closeCli(): void {
  db?.close();
  db = undefined;
  api = undefined;
}
