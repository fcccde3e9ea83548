import type { ApiScope, ErrorCode } from '@keyway/protocol';
import type { z } from 'zod';
import type { AppContext } from '../context';
import { AppError } from '../errors';
import type { Principal } from './authenticate';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The names in a path template's braces: `/v1/spaces/{spaceId}/doors` → `'spaceId'`. */
type ParamNames<P extends string> =
  P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;
/** The path parameters a template declares, each a string checked at the edge (app.ts). */
export type PathParams<P extends string> = { [K in ParamNames<P>]: string };

export interface RouteInput<B, Q, P extends string = string> {
  body: B;
  query: Q;
  params: PathParams<P>;
  principal: Principal;
  ip: string;
  ctx: AppContext;
}
export interface RouteOutput {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One endpoint: its schemas are both its validation and its OpenAPI description. */
export interface RouteDef<
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  P extends string = string,
> {
  method: Method;
  /** OpenAPI-style path: /v1/spaces/{spaceId}; each `{name}` is a typed, checked param. */
  path: P;
  /** The OpenAPI operationId, unique; also the `action` of the audit entry the route writes. */
  operationId: string;
  summary: string;
  tag: string;
  /** `public` needs no token; `user` needs a valid session token. */
  auth: 'public' | 'user';
  /**
   * The API-key scope that lets an integration call this route; without one the route is for
   * people's sessions only and a key gets 403 insufficient_scope (http/app.ts).
   */
  scope?: ApiScope;
  /**
   * Every route that is not a GET is an admin action: it writes exactly one audit entry, in the
   * transaction of its change (`tx.audit`, commands/tx.ts), or the change is refused. Only a
   * route that changes no space (login, the caller's own profile and sessions, opening a door:
   * that is the access log) says `audit: false`; audit.e2e.test.ts lists those.
   */
  audit?: false;
  /** Codes this route answers beyond those its auth, params and body imply (OpenAPI 4xx). */
  errors?: ErrorCode[];
  body?: B;
  query?: Q;
  responses: Record<number, z.ZodType | null>;
  /** The 200 response's media type when it is not JSON (a CSV export). */
  produces?: string;
  handler: (
    input: RouteInput<
      B extends z.ZodType ? z.output<B> : undefined,
      Q extends z.ZodType ? z.output<Q> : undefined,
      P
    >,
  ) => Promise<RouteOutput>;
}

export function defineRoute<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  const P extends string = string,
>(def: RouteDef<B, Q, P>): RouteDef {
  return def as unknown as RouteDef;
}

/** Does this route write an audit entry? Every one but the GETs and those that opt out. */
export const isAudited = (def: Pick<RouteDef, 'method' | 'audit'>) =>
  def.method !== 'GET' && def.audit !== false;

/** The names a path template declares, in order: `/v1/spaces/{spaceId}` → `['spaceId']`. */
export const paramNames = (path: string): string[] =>
  [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

/** Parses with a schema or throws 400 invalid_request naming each bad field. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) {
    rejectNul(parsed.data, where);
    return parsed.data;
  }
  const details = parsed.error.issues.map((i) => ({
    field: i.path.length ? i.path.join('.') : where,
    message: i.message,
  }));
  const names = details.map((d) => d.field).join(', ');
  throw new AppError('invalid_request', `Invalid ${where}: ${names}.`, details);
}

/** PostgreSQL text cannot hold U+0000: refuse it as bad input (400) instead of failing in the database (500). */
export function rejectNul(
  value: unknown,
  where: 'body' | 'query' | 'path',
  path: string[] = [],
): void {
  if (typeof value === 'string') {
    if (!value.includes('\0')) return;
    const field = path.length ? path.join('.') : where;
    throw new AppError('invalid_request', `Invalid ${where}: ${field}.`, [
      { field, message: 'must not contain NUL (U+0000) characters' },
    ]);
  }
  if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value))
      rejectNul(v, where, [...path, k]);
}
