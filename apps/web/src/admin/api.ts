/** The dashboard's HTTP helper: JSON, bearer token, API errors as ApiError (API.md "Conventions"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's stable error id, or `network` when the server could not be reached. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let token: string | null = null;
let onUnauthorized: () => void = () => {};

export function setToken(value: string | null): void {
  token = value;
}
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
      json as { error?: { code?: string; message?: string; details?: unknown } }
    )?.error;
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
  return json as T;
}

/** `?a=1&b=2` from the defined entries only. */
export function query(
  params: Record<string, string | number | undefined | null>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A human sentence for a failed call: the server's message, with the field details when given. */
export function errorMessage(e: unknown): string {
  if (!(e instanceof ApiError))
    return e instanceof Error ? e.message : String(e);
  const details = Array.isArray(e.details)
    ? (e.details as { field?: string; message?: string }[])
        .map((d) => [d.field, d.message].filter(Boolean).join(': '))
        .join('; ')
    : '';
  return details ? `${e.message} (${details})` : e.message;
}
