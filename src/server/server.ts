// SPDX-License-Identifier: MIT
// Browser mode: the same renderer and the same contract, served on 127.0.0.1 only.
//   POST /api/call/<method>   JSON body = input; answer {ok, result} or {ok:false, error}
//   GET  /api/events          WebSocket of {event, payload}
// Every /api request needs the per-launch token (Authorization: Bearer, or ?token= for the socket).
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { serializeError, AppError } from '../shared/errors';
import { isMethod, type EngineHandlers, type EventName, type EventPayload } from '../shared/ipc/contract';
import { dispatch } from '../shared/ipc/dispatch';
import { createLogger } from '../platform/logger';
import { hostAllowed, newToken, originAllowed, SECURITY_HEADERS, tokenFrom, tokenMatches } from './security';

const log = createLogger('server');
export const MAX_BODY_BYTES = 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** Serves a contract call by name; the callee validates (dispatch, or the engine host's client). */
export type EngineCall = (method: string, input: unknown) => Promise<unknown>;

export interface ServerOptions {
  /**
   * Where contract calls go: an in-process API (tests, the CLI), or a call forwarded to the
   * engine host process (`transfer-studio serve`), which keeps this event loop free.
   */
  api: EngineHandlers | EngineCall;
  /** Methods this process answers itself without asking the engine (app.info: the UI's own facts). */
  local?: Partial<EngineHandlers>;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  /** The URL to open, with the token, like Jupyter's. */
  urlWithToken: string;
  token: string;
  port: number;
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AppError('INVALID_INPUT', `Request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppError('INVALID_INPUT', 'Request body is not valid JSON');
  }
}

function serveStatic(staticDir: string, pathname: string, res: ServerResponse): void {
  const root = realpathSync(staticDir);
  const rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  const file = path.resolve(root, '.' + rel);
  // Confine to the renderer folder: no '..', no symlink escape.
  const real = existsSync(file) ? realpathSync(file) : '';
  if (!real || (real !== root && !real.startsWith(root + path.sep)) || !statSync(real).isFile()) {
    // Unknown paths are app routes: hand back the single page.
    if (!path.extname(rel)) return serveStatic(staticDir, '/', res);
    return send(res, 404, 'Not found', 'text/plain; charset=utf-8');
  }
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': MIME[path.extname(real)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
  createReadStream(real).pipe(res);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = opts.token ?? newToken();
  const api = opts.api;
  const local = opts.local ?? {};
  const engine: EngineCall = typeof api === 'function' ? api : (method, input) => dispatch(api, method, input);
  const call: EngineCall = (method, input) => (isMethod(method) && local[method] ? dispatch({ ...local } as EngineHandlers, method, input) : engine(method, input));
  const sockets = new Set<WebSocket>();
  let port = 0;

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err) => {
      log.error(`unhandled: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: serializeError(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, port)) return sendJson(res, 403, { ok: false, error: { code: 'UNAUTHORIZED', message: 'Host not allowed' } });
    if (!originAllowed(req, port)) return sendJson(res, 403, { ok: false, error: { code: 'UNAUTHORIZED', message: 'Origin not allowed' } });
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname.startsWith('/api/')) {
      if (!tokenMatches(token, tokenFrom(req, url))) {
        return sendJson(res, 401, { ok: false, error: { code: 'UNAUTHORIZED', message: 'Missing or wrong token. Open the link that `transfer-studio serve` printed.' } });
      }
      const match = /^\/api\/call\/([a-z][a-zA-Z.]*)$/.exec(url.pathname);
      if (!match) return sendJson(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: `No such endpoint: ${url.pathname}` } });
      if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'Use POST' } });
      try {
        const input = await readBody(req);
        const result = await call(match[1], input);
        return sendJson(res, 200, { ok: true, result });
      } catch (err) {
        const e = serializeError(err);
        // A refused body may still be arriving; close the connection rather than reuse a dirty socket.
        if (!req.complete) res.setHeader('Connection', 'close');
        if (e.code === 'INTERNAL') log.error(`${match[1]}: ${(err as Error).stack ?? e.message}`);
        const status = e.code === 'INVALID_ARGUMENT' || e.code === 'INVALID_INPUT' ? 400 : e.code === 'NOT_FOUND' || e.code === 'MODEL_UNKNOWN' ? 404 : e.code === 'FORBIDDEN_PATH' ? 403 : 500;
        return sendJson(res, status, { ok: false, error: e });
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed', 'text/plain; charset=utf-8');
    return serveStatic(opts.staticDir, url.pathname, res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname !== '/api/events' || !hostAllowed(req, port) || !originAllowed(req, port) || !tokenMatches(token, tokenFrom(req, url))) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // The UI only listens; anything it sends is ignored.
      ws.on('message', () => undefined);
    });
  });

  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // long engine calls (a training run) answer late; bodies are size-limited instead
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  return {
    url,
    urlWithToken: `${url}?token=${token}`,
    token,
    port,
    emit(event, payload) {
      const msg = JSON.stringify({ event, payload });
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(msg);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
