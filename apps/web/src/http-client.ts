/**
 * JSON over HTTP to the Keyway API with a bearer token; errors as ApiError with the API's stable
 * code. The phone app and the dashboard each make their own client (each keeps its own session).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's stable error id (`outside_schedule`...), or `network` when the server was unreachable. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export function createApiClient() {
  let token: string | null = null;
  let onUnauthorized: () => void = () => {};

  async function api<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const { text } = await send(method, path, body);
    return parseJson(text) as T;
  }

  /** The answer's text and headers (a CSV export); errors as for `api`. */
  async function send(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ text: string; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(
        0,
        'network',
        e instanceof Error ? e.message : String(e),
      );
    }
    const text = await res.text();
    if (!res.ok) {
      const err = (
        parseJson(text) as
          | { error?: { code?: string; message?: string; details?: unknown } }
          | undefined
      )?.error;
      // A 502/504 from a proxy in front of a stopped server has no API error body: treat as offline.
      const code = err?.code ?? (res.status >= 502 ? 'network' : 'unknown');
      if (res.status === 401 && token && code === 'unauthorized')
        onUnauthorized();
      throw new ApiError(
        res.status,
        code,
        err?.message ?? res.statusText,
        err?.details,
      );
    }
    return { text, headers: res.headers };
  }

  return {
    api,
    send,
    setToken(value: string | null): void {
      token = value;
    },
    /** Called when the server says the session is gone (revoked from another device, logged out). */
    setUnauthorizedHandler(fn: () => void): void {
      onUnauthorized = fn;
    },
  };
}
