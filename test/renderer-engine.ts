// SPDX-License-Identifier: MIT
// A stand-in engine for renderer component tests, behind the browser-mode transport that
// lib/api.ts uses (fetch to ./api/call/<method>, the same envelope the server answers). Every call
// goes through the contract's validating dispatch, so a component that sends a payload the engine
// would refuse, or a fixture the engine could never return, fails the test. A method the test did
// not provide answers NOT_FOUND (and is recorded), so unexpected calls show up in `calls`.
import { afterEach, vi } from 'vitest';
import { AppError, serializeError } from '../src/shared/errors';
import type { EngineHandlers, Input, Method } from '../src/shared/ipc/contract';
import { dispatch } from '../src/shared/ipc/dispatch';

export interface EngineCall {
  method: string;
  input: unknown;
}

export interface FakeEngine {
  /** Every call in order, with the input as the component sent it. */
  calls: EngineCall[];
  /** The inputs of one method's calls, in order. */
  inputs<M extends Method>(method: M): Input<M>[];
}

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Installs `handlers` as the engine for the current test (until the test ends). */
export function fakeEngine(handlers: Partial<EngineHandlers>): FakeEngine {
  const calls: EngineCall[] = [];
  const api = new Proxy(handlers, {
    get: (target, method: string) =>
      target[method as Method] ??
      (async () => {
        throw new AppError('NOT_FOUND', `${method} is not served in this test`);
      }),
  }) as EngineHandlers;
  const reply = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string | URL, init?: RequestInit) => {
      const method = String(url).split('/api/call/')[1] ?? String(url);
      const input: unknown = JSON.parse(String(init?.body ?? '{}'));
      calls.push({ method, input });
      try {
        return reply({ ok: true, result: await dispatch(api, method, input) });
      } catch (err) {
        return reply({ ok: false, error: serializeError(err) });
      }
    }),
  );
  return {
    calls,
    inputs: <M extends Method>(method: M) => calls.filter((c) => c.method === method).map((c) => c.input as Input<M>),
  };
}

/** wizard.get / wizard.save for one open project whose saved choices are `choices` (what project.open loads). */
export function wizardOf(projectId: number, choices: Record<string, unknown>, step = 'projects'): Pick<EngineHandlers, 'wizard.get' | 'wizard.save'> {
  return {
    'wizard.get': async () => ({ lastProjectId: projectId, projectId, step, choices }),
    'wizard.save': async (input) => ({ lastProjectId: input.projectId, projectId: input.projectId, step: input.step ?? step, choices: input.choices ?? choices }),
  };
}
