import { SmsSendError } from './provider';

export interface PostResult {
  status: number;
  text: string;
  json: unknown;
}

/**
 * One POST to a provider with a deadline. A timeout or a network error is `transient`: the
 * caller retries once. Errors name the URL's origin and path only, never its query or headers.
 */
export async function postTo(
  url: string,
  init: { headers: Record<string, string>; body: string },
  timeoutMs: number,
): Promise<PostResult> {
  const where = new URL(url);
  const label = `${where.origin}${where.pathname}`;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      signal,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  } catch (err) {
    throw new SmsSendError(
      'transient',
      signal.aborted
        ? `no answer from ${label} within ${timeoutMs} ms`
        : `could not reach ${label}: ${(err as Error).message}`,
    );
  }
}

/** Status classes every provider shares: throttling and server errors are worth a retry. */
export const transientStatus = (status: number) =>
  status === 408 || status === 429 || status >= 500;
