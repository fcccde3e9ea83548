import { Agent, type IncomingHttpHeaders, request } from 'node:http';

/**
 * The load generators' HTTP client: node:http over kept-alive sockets. Undici's `fetch` cost
 * the client 0.5 ms more per request at p50 and 2–4 ms more at p99 on this machine (a bare
 * PATCH to a bare node:http server: 1.05 / 5.8 ms with fetch, 0.35 / 1.8 ms with this), time
 * that belongs to neither Keyway nor its baselines.
 */
const agent = new Agent({ keepAlive: true });

export interface HttpResult {
  status: number;
  text: string;
  headers: IncomingHttpHeaders;
}

export function httpRequest(
  url: string,
  opts: { method: string; token?: string; body?: unknown },
): Promise<HttpResult> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const payload =
    opts.body === undefined ? undefined : JSON.stringify(opts.body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text, headers: res.headers }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
