// SPDX-License-Identifier: MIT
// Validates a call against the contract on the way in and the way out. Every transport
// (Electron IPC, browser-mode HTTP, the CLI) goes through here, so no handler sees unchecked input.
import { AppError } from '../errors';
import { contract, isMethod, type EngineHandlers, type Method } from './contract';

export async function dispatch(api: EngineHandlers, method: unknown, rawInput: unknown): Promise<unknown> {
  if (!isMethod(method)) {
    throw new AppError('INVALID_ARGUMENT', `Unknown method: ${JSON.stringify(method)}`, { received: method });
  }
  const def = contract[method as Method];
  const parsed = def.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'INVALID_ARGUMENT',
      `Invalid input for ${method}: ${issue.path.join('.') || '(input)'}: ${issue.message}`,
      { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    );
  }
  const handler = api[method as Method] as (input: unknown) => Promise<unknown>;
  const result = await handler(parsed.data);
  // The output check catches engine bugs before they reach a UI that trusts the types.
  const out = def.output.safeParse(result);
  if (!out.success) {
    const issue = out.error.issues[0];
    throw new AppError('INTERNAL', `The engine returned an invalid result for ${method}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return out.data;
}
