import { ERRORS, type ErrorCode } from '@keyway/protocol';

/** An error with a stable id from the protocol's list; the HTTP layer renders it as API.md says. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message ?? ERRORS[code].message);
    this.status = ERRORS[code].status;
  }
}

export const notFound = (what = 'Not found.') =>
  new AppError('not_found', what);
export const forbidden = (message?: string) =>
  new AppError('forbidden', message);

/** The API.md error shape: `{error: {code, message, details?}}`. */
export function errorBody(
  code: AppError['code'],
  message?: string,
  details?: unknown,
) {
  const e = new AppError(code, message);
  return {
    error: {
      code,
      message: e.message,
      ...(details === undefined ? {} : { details }),
    },
  };
}

const LINK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * Whether a failure is the database being unreachable (a cut or refused connection, a pool
 * that could not connect, PostgreSQL shutting down) rather than a bug: the caller gets 503
 * database_unavailable, not 500. A transaction cut this way was not committed.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  if (LINK_ERRORS.has(code)) return true;
  // SQLSTATE 08xxx: connection exceptions; 57P01-03: admin shutdown, crash shutdown, cannot connect now.
  if (/^08...$/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|connection error/i.test(
    message,
  );
}
