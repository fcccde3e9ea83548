/** The one way the app talks HTTP to the server: JSON, bearer token, errors as ApiError. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's stable error id (`outside_schedule`...), or `network` when the server was unreachable. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let token: string | null = null;
let onUnauthorized: () => void = () => {};

export function setToken(value: string | null): void {
  token = value;
}
/** Called when the server says the session is gone (revoked from another device, logged out). */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
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
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (
      json as { error?: { code?: string; message?: string } } | undefined
    )?.error;
    // A 502/504 from a proxy in front of a stopped server has no API error body: treat as offline.
    const code = err?.code ?? (res.status >= 502 ? 'network' : 'unknown');
    if (res.status === 401 && token && code === 'unauthorized')
      onUnauthorized();
    throw new ApiError(res.status, code, err?.message ?? res.statusText);
  }
  return json as T;
}
