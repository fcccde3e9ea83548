import { ApiError, createApiClient } from '../http-client';

/** The dashboard's HTTP client: its own session, separate from the phone app's (see http-client.ts). */
export { ApiError };
export const { api, send, setToken, setUnauthorizedHandler } =
  createApiClient();

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
