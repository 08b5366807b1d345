// SPDX-License-Identifier: MIT
// A scoped logger (Signal style: logger.child('train')). Writes to stderr so stdout stays clean
// for `--json` output; sinks can be added (the app forwards lines to the UI's log panel).
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  level: LogLevel;
  scope: string;
  message: string;
  time: string;
}

type Sink = (record: LogRecord) => void;
const sinks = new Set<Sink>();

function threshold(): number {
  const env = (process.env.TRANSFER_STUDIO_LOG ?? 'warn') as LogLevel;
  return ORDER[env] ?? ORDER.warn;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

export function createLogger(scope: string): Logger {
  const emit = (level: LogLevel, message: string) => {
    const record: LogRecord = { level, scope, message, time: new Date().toISOString() };
    for (const sink of sinks) sink(record);
    if (ORDER[level] >= threshold()) process.stderr.write(`[${record.time}] ${level} ${scope}: ${message}\n`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (s) => createLogger(`${scope}.${s}`),
  };
}

/** Adds a sink for every record (all levels); returns a function that removes it. */
export function addLogSink(sink: Sink): () => void {
  sinks.add(sink);
  return () => sinks.delete(sink);
}

export const logger = createLogger('ts');
