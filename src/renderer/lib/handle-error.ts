// SPDX-License-Identifier: MIT
// One place where errors reach the user (immich's handleError): normalise, log, toast.
import { toasts } from './state/toasts.svelte';

export function handleError(error: unknown, userMessage: string): string {
  if (error instanceof DOMException && error.name === 'AbortError') return userMessage;
  const e = error instanceof Error ? error : new Error(String(error));
  console.error(`[transfer-studio] ${userMessage}`, e);
  const text = `${userMessage}: ${e.message}`;
  toasts.show(text, 'error');
  return text;
}

export async function handleErrorAsync<T>(fn: () => Promise<T>, userMessage: string): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    handleError(err, userMessage);
    return undefined;
  }
}
