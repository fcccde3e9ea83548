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
