// SPDX-License-Identifier: MIT
// The UI process's side of the engine host: calls go out as messages, results and events come back
// and are validated against the contract before anyone sees them. The channel is pluggable:
// forkHost() uses Node's child_process.fork (browser mode, tests); Electron's main binds the same
// client to utilityProcess (src/main/engine-process.ts).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppError, deserializeError } from '../shared/errors';
import { contract, events, isMethod, type EventName, type EventPayload, type Input, type Method, type Output } from '../shared/ipc/contract';
import { FromHostSchema, type ToHost } from '../shared/ipc/host-protocol';
import { createLogger } from '../platform/logger';

const log = createLogger('host-client');
const require = createRequire(import.meta.url);

/** One live host process, as the client sees it. */
export interface HostChannel {
  post(msg: ToHost): void;
  onMessage(listener: (raw: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type HostMode = 'electron' | 'browser' | 'cli';
export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface EngineHost {
  /** A contract call, typed. */
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  /** A contract call by name, for transports that receive the name as text (HTTP, IPC). */
  callRaw(method: string, input: unknown): Promise<unknown>;
  onEvent(listener: EventListener): () => void;
  /** Lets the host's path confinement accept a folder chosen in a native dialog. */
  allowRoot(folder: string): void;
  /** Resolves when the (first) host process is serving, with how long it took to start. */
  ready: Promise<{ pid: number; startMs: number }>;
  /** The pid of the current host process, once ready. */
  pid(): number | undefined;
  close(): Promise<void>;
}

interface Pending {
  method: Method;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/**
 * Connects to host processes made by `spawn`. A host that dies is started again (pending calls
 * fail with INTERNAL), unless it died within a few seconds of starting three times in a row.
 */
export function connectHost(spawn: () => HostChannel): EngineHost {
  const pending = new Map<number, Pending>();
  const listeners = new Set<EventListener>();
  const roots: string[] = [];
  let nextId = 1;
  let closed = false;
  let quickDeaths = 0;
  let channel: HostChannel;
  let livePid: number | undefined;
  let queue: ToHost[] = [];
  let resolveReady!: (v: { pid: number; startMs: number }) => void;
  let rejectReady!: (e: unknown) => void;
  const ready = new Promise<{ pid: number; startMs: number }>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  ready.catch(() => undefined);

  const send = (msg: ToHost) => (livePid === undefined ? queue.push(msg) : channel.post(msg));

  function onMessage(raw: unknown, startedAt: number): void {
    const parsed = FromHostSchema.safeParse(raw);
    if (!parsed.success) {
      log.error(`refused a malformed message from the engine host: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const msg = parsed.data;
    if (msg.t === 'ready') {
      livePid = msg.pid;
      const startMs = Date.now() - startedAt;
      log.info(`engine host ${msg.pid} ready in ${startMs} ms`);
      resolveReady({ pid: msg.pid, startMs });
      const queued = queue;
      queue = [];
      for (const q of queued) channel.post(q);
      return;
    }
    if (msg.t === 'event') {
      if (!Object.prototype.hasOwnProperty.call(events, msg.event)) return log.error(`refused an unknown event from the engine host: ${msg.event}`);
      const name = msg.event as EventName;
      const payload = events[name].safeParse(msg.payload);
      if (!payload.success) return log.error(`refused an invalid ${name} event from the engine host: ${payload.error.issues[0]?.message}`);
      for (const l of listeners) l(name, payload.data as EventPayload<typeof name>);
      return;
    }
    const call = pending.get(msg.id);
    if (!call) return;
    pending.delete(msg.id);
    if (msg.t === 'error') return call.reject(deserializeError(msg.error));
    const out = contract[call.method].output.safeParse(msg.result);
    if (!out.success) call.reject(new AppError('INTERNAL', `The engine host returned an invalid result for ${call.method}: ${out.error.issues[0]?.path.join('.')}: ${out.error.issues[0]?.message}`));
    else call.resolve(out.data);
  }

  function start(): void {
    const startedAt = Date.now();
    livePid = undefined;
    channel = spawn();
    channel.onMessage((raw) => onMessage(raw, startedAt));
    channel.onExit((code) => {
      livePid = undefined;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new AppError('INTERNAL', `The engine process stopped (exit code ${code}) while running ${p.method}. It has been restarted; try again.`));
      }
      if (closed) return;
      quickDeaths = Date.now() - startedAt < 5000 ? quickDeaths + 1 : 0;
      if (quickDeaths >= 3) {
        closed = true;
        rejectReady(new AppError('INTERNAL', `The engine process failed to start (exit code ${code}). Run \`transfer-studio doctor\`.`));
        return;
      }
      log.warn(`engine host exited with ${code}; starting a new one`);
      start();
      for (const r of roots) channel.post({ t: 'allowRoot', path: r });
    });
  }
  start();

  return {
    call: (method, input) => callRaw(method, input) as never,
    callRaw,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    allowRoot(folder) {
      roots.push(folder);
      send({ t: 'allowRoot', path: folder });
    },
    ready,
    pid: () => livePid,
    async close() {
      if (closed) return;
      closed = true;
      const exited = new Promise<void>((resolve) => channel.onExit(() => resolve()));
      if (livePid === undefined) channel.kill();
      else channel.post({ t: 'shutdown' });
      const timer = setTimeout(() => channel.kill(), 3000);
      await exited;
      clearTimeout(timer);
    },
  };

  function callRaw(method: string, input: unknown): Promise<unknown> {
    if (closed) return Promise.reject(new AppError('INTERNAL', 'The engine process has been shut down.'));
    // Checked here too, so a bad call never reaches the host; the host checks again (dispatch).
    if (!isMethod(method)) return Promise.reject(new AppError('INVALID_ARGUMENT', `Unknown method: ${JSON.stringify(method)}`, { received: method }));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { method, resolve, reject });
      send({ t: 'call', id, method, input: input ?? {} });
    });
  }
}

/** Where the host's entry module is: the TypeScript source under tsx, or the bundle next to dist/main. */
export function hostEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const tsx = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
    return { file: path.join(path.dirname(here), 'host-entry.ts'), execArgv: ['--import', tsx] };
  }
  return { file: path.join(path.dirname(here), 'engine-host.js'), execArgv: [] };
}

/** Starts the engine host as a Node child process (browser mode, the CLI's long commands, tests). */
export function forkHost(opts: { mode: HostMode; env?: NodeJS.ProcessEnv }): EngineHost {
  return connectHost(() => {
    const entry = hostEntry();
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      env: { ...process.env, ...opts.env, TRANSFER_STUDIO_HOST_MODE: opts.mode },
      // stdout belongs to the CLI's --json output: whatever the host prints goes to stderr.
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.pipe(process.stderr);
    return {
      post: (msg) => void child.send(msg),
      onMessage: (l) => void child.on('message', l),
      onExit: (l) => void child.once('exit', (code) => l(code)),
      kill: () => void child.kill('SIGKILL'),
    };
  });
}
