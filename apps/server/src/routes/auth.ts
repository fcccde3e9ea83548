import {
  MeResponse,
  RequestCodeBody,
  RequestCodeResponse,
  UpdateMeBody,
  User,
  VerifyCodeBody,
  VerifyCodeResponse,
} from '@keyway/protocol';
import { z } from 'zod';
import { requestCode, verifyCode } from '../commands/login';
import { renameUser, revokeSession } from '../commands/users';
import type { AppContext } from '../context';
import { notFound } from '../errors';
import { defineRoute } from '../http/route';
import { toE164 } from '../phone';
import { activeSessions, getUser } from '../queries/users';

/** A revoked session's sync sockets close at once, on every node. */
function closeSessions(ctx: AppContext, ids: string[]) {
  ctx.bus.publish({
    changes: [],
    nextChangeAt: new Map(),
    revokedSessions: ids,
  });
  for (const id of ids) void ctx.sync?.receipts.forget(id);
}

export const authRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/auth/code',
    operationId: 'requestCode',
    errors: [
      'invalid_phone',
      'sms_country_not_allowed',
      'rate_limited',
      'sms_unavailable',
    ],
    audit: false, // no space changes: a login
    tag: 'auth',
    summary: 'Send a 6-digit login code by SMS',
    auth: 'public',
    body: RequestCodeBody,
    responses: { 202: RequestCodeResponse },
    handler: async ({ body, ctx, ip }) => ({
      status: 202,
      body: await requestCode(ctx, toE164(body.phone), ip),
    }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/auth/verify',
    operationId: 'verifyCode',
    errors: ['invalid_phone', 'invalid_code', 'rate_limited'],
    audit: false, // no space changes: a login
    tag: 'auth',
    summary: 'Exchange phone + code for a session token',
    auth: 'public',
    body: VerifyCodeBody,
    responses: { 200: VerifyCodeResponse },
    handler: async ({ body, ctx, ip }) => ({
      status: 200,
      body: await verifyCode(
        ctx,
        toE164(body.phone),
        body.code,
        body.deviceName,
        ip,
      ),
    }),
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/auth/logout',
    operationId: 'logout',
    audit: false, // the caller’s own session, no space
    tag: 'auth',
    summary: 'End the current session',
    auth: 'user',
    responses: { 204: null },
    handler: async ({ principal, ctx }) => {
      await revokeSession(ctx, principal.userId, principal.sessionId);
      closeSessions(ctx, [principal.sessionId]);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/me',
    operationId: 'getMe',
    tag: 'auth',
    summary: 'The caller and her active sessions',
    auth: 'user',
    responses: { 200: MeResponse },
    handler: async ({ principal, ctx }) => {
      const user = await getUser(ctx, principal.userId);
      const sessions = await activeSessions(
        ctx,
        principal.userId,
        principal.sessionId,
      );
      return { status: 200, body: { user, sessions } };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/me',
    operationId: 'updateMe',
    audit: false, // the caller’s own profile, no space
    tag: 'auth',
    summary: 'Change the caller’s display name',
    auth: 'user',
    body: UpdateMeBody,
    responses: { 200: z.object({ user: User }) },
    handler: async ({ principal, ctx, body }) => {
      await renameUser(ctx, principal.userId, body.name);
      const user = await getUser(ctx, principal.userId);
      return { status: 200, body: { user } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/me/sessions/{sessionId}',
    operationId: 'revokeSession',
    audit: false, // the caller’s own session, no space
    tag: 'auth',
    summary: 'Revoke one of the caller’s sessions (a lost phone)',
    auth: 'user',
    responses: { 204: null },
    handler: async ({ principal, ctx, params }) => {
      if (!(await revokeSession(ctx, principal.userId, params.sessionId)))
        throw notFound('No such session.');
      closeSessions(ctx, [params.sessionId]);
      return { status: 204 };
    },
  }),
];
