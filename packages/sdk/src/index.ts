import {
  SyncClient,
  type SyncClientOptions,
  type WebSocketConstructor,
} from '@keyway/protocol';
import createClient, {
  type Client,
  type FetchResponse,
  type MaybeOptionalInit,
} from 'openapi-fetch';
import type {
  HttpMethod,
  PathsWithMethod,
  RequiredKeysOf,
} from 'openapi-typescript-helpers';
import { KeywayError } from './error';
import type { components, operations, paths } from './schema';

// Live events: the protocol's sync client (snapshot → changes → reconnect → resume).
export {
  type SyncChange,
  SyncClient,
  type SyncClientOptions,
  type SyncError,
  type SyncStatus,
} from '@keyway/protocol';
export { KeywayError } from './error';
export type { components, operations, paths } from './schema';

/** A request body or response of the API by its component name: `Schema<'Member'>`. */
export type Schema<N extends keyof components['schemas']> =
  components['schemas'][N];

type Init<I> =
  RequiredKeysOf<I> extends never
    ? [(I & Record<string, unknown>)?]
    : [I & Record<string, unknown>];
/** openapi-fetch's success `data`, which it types as possibly `undefined`. */
type Data<T extends Record<string | number, unknown>, I> = Extract<
  FetchResponse<T, I, 'application/json'>,
  { error?: never }
>['data'];
/** The success body without that `undefined`, or `undefined` for a 204 (an answer with no body). */
type Body<D> = [Exclude<D, undefined>] extends [never]
  ? undefined
  : Exclude<D, undefined>;
/** What a call resolves to. */
type Ok<P extends keyof paths, M extends HttpMethod, I> = Body<
  Data<paths[P][M] & Record<string | number, unknown>, I>
>;
/** One HTTP method of the API: typed path, params and body; resolves to the body or throws {@link KeywayError}. */
export type KeywayMethod<M extends HttpMethod> = <
  P extends PathsWithMethod<paths, M>,
  I extends MaybeOptionalInit<paths[P], M>,
>(
  path: P,
  ...init: Init<I>
) => Promise<Ok<P, M, I>>;

export interface KeywayOptions {
  /** Where the server is, e.g. `https://keyway.example` (no `/v1`). */
  baseUrl: string;
  /** Any bearer token: a session token from SMS login, or an API key (`kw_...`). */
  token?: string;
  /** Defaults to `globalThis.fetch`. */
  fetch?: (input: Request) => Promise<Response>;
}

export interface Keyway {
  GET: KeywayMethod<'get'>;
  POST: KeywayMethod<'post'>;
  PATCH: KeywayMethod<'patch'>;
  DELETE: KeywayMethod<'delete'>;
  /** The openapi-fetch client underneath (`{data, error, response}`, no throwing), with the same token. */
  raw: Client<paths>;
  /** A sync client on `/v1/sync` with this token, not yet started: `.on('change', …)`, then `.start()`. */
  sync(
    opts?: Partial<SyncClientOptions> & {
      WebSocketImpl?: WebSocketConstructor;
    },
  ): SyncClient;
}

/** The typed Keyway API client: `createKeyway({ baseUrl, token }).POST('/v1/spaces', { body })`. */
export function createKeyway(opts: KeywayOptions): Keyway {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const raw = createClient<paths>({
    baseUrl,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.token
      ? { headers: { authorization: `Bearer ${opts.token}` } }
      : {}),
  });
  type AnyCall = (
    path: string,
    init?: unknown,
  ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
  const method = <M extends HttpMethod>(
    m: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  ) =>
    (async (path: string, init?: unknown) => {
      const res = await (raw[m] as AnyCall)(path, init);
      if (!res.response.ok) throw KeywayError.from(res.response, res.error);
      return res.data;
    }) as unknown as KeywayMethod<M>;
  return {
    GET: method<'get'>('GET'),
    POST: method<'post'>('POST'),
    PATCH: method<'patch'>('PATCH'),
    DELETE: method<'delete'>('DELETE'),
    raw,
    sync: (sync = {}) => {
      const token = sync.token ?? opts.token;
      if (!token) throw new Error('Keyway.sync: no token');
      return new SyncClient({
        url: `${baseUrl.replace(/^http/, 'ws')}/v1/sync`,
        ...sync,
        token,
      });
    },
  };
}

/** An operation's success body by operationId: `OperationData<'createMember'>`. */
export type OperationData<O extends keyof operations> = Body<
  Data<operations[O] & Record<string | number, unknown>, unknown>
>;
