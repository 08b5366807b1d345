// SPDX-License-Identifier: MIT
// A throwaway engine for service tests: a temporary folder with a fresh database, the engine API
// on it as the CLI builds it, and `call`, a typed call through the contract's validating dispatch
// (so a test sees what a front end would). The folder goes after the test file's tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { createEngineApi, type ServiceContext } from '../src/services/api';
import type { EngineHandlers, Input, Method, Output } from '../src/shared/ipc/contract';
import { dispatch } from '../src/shared/ipc/dispatch';
import { openDatabase, type Db } from '../src/store/db';

export interface TestEngine {
  tmp: string;
  db: Db;
  api: EngineHandlers;
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
}

/** Call at a test file's top level: `prefix` names the temporary folder (e.g. 'ts-export-svc-'). */
export function testEngine(prefix: string, ctx: Partial<ServiceContext> = {}): TestEngine {
  const tmp = mkdtempSync(path.join(os.tmpdir(), prefix));
  const db = openDatabase(path.join(tmp, 'db.sqlite'));
  const api = createEngineApi({ db, mode: 'cli', ...ctx });
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  return { tmp, db, api, call: (method, input) => dispatch(api, method, input) as Promise<Output<typeof method>> };
}
