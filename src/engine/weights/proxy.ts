// SPDX-License-Identifier: MIT
// HTTP GET through the proxy named by HTTPS_PROXY / HTTP_PROXY / NO_PROXY (the curl conventions).
// Node 20's fetch ignores these variables, and one CONNECT tunnel is small enough to own rather
// than add a dependency. Every proxied request is tunnelled (CONNECT), also plain http, so the
// tests exercise the same path the https weight downloads take.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';

export type ProxyEnv = Record<string, string | undefined>;

function envVar(env: ProxyEnv, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v && v.trim() ? v.trim() : undefined;
}

/** True when NO_PROXY names the host: '*', exact host, `.suffix` or `suffix` domain match, optional :port. */
export function bypassesProxy(target: URL, env: ProxyEnv): boolean {
  const noProxy = envVar(env, 'no_proxy');
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !entry.startsWith('[') && m[1].indexOf(':') === -1) [, entry, entryPort] = m;
    if (entryPort && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, '');
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy URL to use for `target`, or null for a direct connection. */
export function proxyFor(target: URL, env: ProxyEnv = process.env): URL | null {
  const raw = target.protocol === 'https:' ? envVar(env, 'https_proxy') ?? envVar(env, 'http_proxy') : envVar(env, 'http_proxy');
  if (!raw || bypassesProxy(target, env)) return null;
  try {
    return new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new Error(`The proxy setting ${JSON.stringify(raw)} is not a URL. Set HTTPS_PROXY like http://proxy.example:3128.`);
  }
}

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  env?: ProxyEnv;
  /** Connect/idle timeout in ms (a stalled server must not hang a download forever). */
  timeoutMs?: number;
}

function abortError(): Error {
  const e = new Error('The download was cancelled.');
  e.name = 'AbortError';
  return e;
}

/** Opens a tunnel through the proxy to target's host:port. */
function connectTunnel(proxy: URL, target: URL, signal: AbortSignal | undefined, timeoutMs: number): Promise<Socket> {
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const authority = `${target.hostname}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username) {
    const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(cred).toString('base64')}`;
  }
  const mod = proxy.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: proxy.hostname,
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers,
      signal,
      timeout: timeoutMs,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new Error(`The proxy ${proxy.host} refused the tunnel to ${authority}: HTTP ${res.statusCode}`));
    });
    req.once('timeout', () => req.destroy(new Error(`The proxy ${proxy.host} did not answer within ${timeoutMs} ms`)));
    req.once('error', (err) => reject(signal?.aborted ? abortError() : err));
    req.end();
  });
}

/**
 * Sends a GET and resolves with the response head (the body is left to the caller to stream).
 * Rejects with an Error named 'AbortError' when the signal fires.
 */
export async function httpGet(url: URL, opts: GetOptions = {}): Promise<http.IncomingMessage> {
  const { signal, headers = {}, timeoutMs = 30_000 } = opts;
  if (signal?.aborted) throw abortError();
  const proxy = proxyFor(url, opts.env ?? process.env);
  const secure = url.protocol === 'https:';
  let createConnection: (() => Socket) | undefined;
  if (proxy) {
    const tunnel = await connectTunnel(proxy, url, signal, timeoutMs);
    createConnection = secure ? () => tls.connect({ socket: tunnel, servername: url.hostname }) : () => tunnel;
  }
  const mod = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, {
      method: 'GET',
      headers: { 'user-agent': 'transfer-studio', ...headers },
      signal,
      timeout: timeoutMs,
      ...(createConnection ? { createConnection, agent: undefined } : {}),
    });
    req.once('response', resolve);
    req.once('timeout', () => req.destroy(new Error(`No answer from ${url.host} within ${timeoutMs} ms`)));
    req.once('error', (err) => reject(signal?.aborted ? abortError() : err));
    req.end();
  });
}
