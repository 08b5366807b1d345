// SPDX-License-Identifier: MIT
/**
 * One error shape for every layer. Codes are a closed union so the CLI can map
 * them to exit codes and the renderer can decide what to tell the user.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_INPUT',
  'UNAUTHORIZED',
  'FORBIDDEN_PATH',
  'NOT_FOUND',
  'MODEL_UNKNOWN',
  'WEIGHTS_MISSING',
  'WEIGHTS_CORRUPT',
  'WEIGHTS_MISMATCH',
  'DOWNLOAD_FAILED',
  'DOWNLOAD_CANCELLED',
  'FILE_CORRUPT',
  'FILE_UNREADABLE',
  'DISK_FULL',
  'READ_ONLY',
  'DB_FROM_FUTURE',
  'DB_CORRUPT',
  'BACKEND_UNAVAILABLE',
  'CANCELLED',
  'CONFLICT',
  'EXPORT_MISMATCH',
  'UNSUPPORTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }

  static is(err: unknown, code?: ErrorCode): err is AppError {
    return err instanceof AppError && (code === undefined || err.code === code);
  }
}

/** Turns anything thrown into the one serialisable shape, keeping AppError codes. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof AppError) return err.toJSON();
  if (isSerializedError(err)) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const sys = (e as NodeJSErrorLike).code;
  if (sys === 'ENOSPC' || sys === 'SQLITE_FULL') return { code: 'DISK_FULL', message: e.message };
  if (sys?.startsWith('SQLITE_READONLY')) return { code: 'READ_ONLY', message: e.message };
  if (sys === 'SQLITE_CORRUPT' || sys === 'SQLITE_NOTADB') return { code: 'DB_CORRUPT', message: e.message };
  if (sys === 'EROFS' || sys === 'EACCES' || sys === 'EPERM') return { code: 'READ_ONLY', message: e.message };
  if (sys === 'ENOENT') return { code: 'NOT_FOUND', message: e.message };
  return { code: 'INTERNAL', message: e.message };
}

export function deserializeError(s: SerializedError): AppError {
  return new AppError(s.code, s.message, s.details);
}

export function isSerializedError(x: unknown): x is SerializedError {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as SerializedError).message === 'string' &&
    (ERROR_CODES as readonly string[]).includes((x as SerializedError).code)
  );
}

/** Exit codes for the CLI: 1 generic, 2 usage, others grouped by cause. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_ARGUMENT':
      return 2;
    case 'NOT_FOUND':
    case 'MODEL_UNKNOWN':
    case 'WEIGHTS_MISSING':
      return 3;
    case 'FILE_CORRUPT':
    case 'FILE_UNREADABLE':
    case 'WEIGHTS_CORRUPT':
    case 'WEIGHTS_MISMATCH':
    case 'INVALID_INPUT':
      return 4;
    case 'CANCELLED':
    case 'DOWNLOAD_CANCELLED':
      return 130;
    default:
      return 1;
  }
}

interface NodeJSErrorLike {
  code?: string;
}
