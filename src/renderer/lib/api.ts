// SPDX-License-Identifier: MIT
// The renderer's only door to the engine. In Electron the preload exposes `window.transferStudio`;
// in browser mode calls go to the loopback server with this launch's token.
import type { EventName, EventPayload, Input, Method, Output } from '../../shared/ipc/contract';
import { deserializeError, isSerializedError, AppError } from '../../shared/errors';

import type { Bridge } from '../../shared/ipc/bridge';

export type { Bridge };

declare global {
  interface Window {
    transferStudio?: Bridge;
  }
}

const TOKEN_KEY = 'transfer-studio-token';

/** Takes the token from `?token=` once, keeps it for this tab, and removes it from the address bar. */
export function browserToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export const transport: 'electron' | 'browser' = typeof window !== 'undefined' && window.transferStudio ? 'electron' : 'browser';
const token = transport === 'browser' ? browserToken() : null;

export function hasCredentials(): boolean {
  return transport === 'electron' || !!token;
}

export async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  if (window.transferStudio) {
    const res = await window.transferStudio.methods[method](input);
    if (!res.ok) throw isSerializedError(res.error) ? deserializeError(res.error) : new AppError('INTERNAL', String(res.error));
    return res.result as Output<M>;
  }
  const res = await fetch(`./api/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? ''}` },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; result?: unknown; error?: unknown };
  if (!body.ok) throw isSerializedError(body.error) ? deserializeError(body.error) : new AppError('INTERNAL', `HTTP ${res.status}`);
  return body.result as Output<M>;
}

type Listener = (event: EventName, payload: unknown) => void;
const listeners = new Set<Listener>();
let socket: WebSocket | undefined;

function connectEvents(): void {
  if (window.transferStudio) {
    window.transferStudio.onEvent((event, payload) => listeners.forEach((l) => l(event as EventName, payload)));
    return;
  }
  if (!token) return;
  const url = new URL('./api/events', window.location.href);
  url.protocol = 'ws:';
  url.searchParams.set('token', token);
  socket = new WebSocket(url);
  socket.onmessage = (m) => {
    const { event, payload } = JSON.parse(String(m.data)) as { event: EventName; payload: unknown };
    listeners.forEach((l) => l(event, payload));
  };
  socket.onclose = () => setTimeout(connectEvents, 2000);
}

export function onEvent<E extends EventName>(name: E, fn: (payload: EventPayload<E>) => void): () => void {
  if (!socket && listeners.size === 0) connectEvents();
  const l: Listener = (event, payload) => {
    if (event === name) fn(payload as EventPayload<E>);
  };
  listeners.add(l);
  return () => listeners.delete(l);
}
