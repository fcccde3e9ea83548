import { ErrorBody, type ErrorCode } from '@keyway/protocol';

/**
 * An error answer of the Keyway API: its status and the `{error: {code, message, details?}}`
 * body every error carries (API.md "Conventions"). `code` is the stable id to branch on.
 */
export class KeywayError extends Error {
  override readonly name = 'KeywayError';
  constructor(
    readonly status: number,
    /** One of the protocol's error codes; any other string only from a newer server. */
    readonly code: ErrorCode | (string & {}),
    message: string,
    readonly details?: unknown,
    /** `Retry-After` in seconds, on a 429. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  /** From a failed response and its parsed body (anything: a proxy may answer HTML). */
  static from(response: Response, body: unknown): KeywayError {
    const retry = Number(response.headers.get('retry-after') ?? Number.NaN);
    const retryAfter = Number.isFinite(retry) ? retry : undefined;
    const parsed = ErrorBody.safeParse(body);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      return new KeywayError(
        response.status,
        code,
        message,
        details,
        retryAfter,
      );
    }
    return new KeywayError(
      response.status,
      'unexpected_response',
      `HTTP ${response.status} without a Keyway error body`,
      body,
      retryAfter,
    );
  }
}
