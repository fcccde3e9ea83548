import {
  CreateSpaceBody,
  SpaceResponse,
  SpacesResponse,
  UpdateSpaceBody,
} from '@keyway/protocol';
import { createSpace, deleteSpace, updateSpace } from '../commands/spaces';
import { defineRoute } from '../http/route';
import { authorizeSpace, type SpaceRole } from '../policy/space';
import { presentSpace } from '../presenters/space';

export const spaceRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/spaces',
    operationId: 'createSpace',
    tag: 'spaces',
    summary: 'Create a space; the caller becomes its owner',
    auth: 'user',
    body: CreateSpaceBody,
    responses: { 201: SpaceResponse },
    handler: async ({ ctx, principal, body }) => {
      const row = await createSpace(ctx, principal.userId, body);
      return { status: 201, body: { space: presentSpace(row, 'owner') } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces',
    operationId: 'listSpaces',
    tag: 'spaces',
    summary: 'Spaces where the caller is an admin or a member',
    auth: 'user',
    responses: { 200: SpacesResponse },
    handler: async ({ ctx, principal }) => {
      const admin = await ctx.db
        .selectFrom('space_admins as a')
        .innerJoin('spaces as s', 's.id', 'a.space_id')
        .selectAll('s')
        .select('a.role')
        .where('a.user_id', '=', principal.userId)
        .execute();
      const member = await ctx.db
        .selectFrom('members as m')
        .innerJoin('spaces as s', 's.id', 'm.space_id')
        .selectAll('s')
        .where('m.user_id', '=', principal.userId)
        .execute();
      const seen = new Set(admin.map((r) => r.id));
      const spaces = [
        ...admin.map((r) => presentSpace(r, r.role)),
        ...member
          .filter((r) => !seen.has(r.id))
          .map((r) => presentSpace(r, 'member' as SpaceRole)),
      ].sort(
        (a, b) =>
          a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
      );
      return { status: 200, body: { spaces } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}',
    operationId: 'getSpace',
    tag: 'spaces',
    summary: 'One space',
    auth: 'user',
    responses: { 200: SpaceResponse },
    handler: async ({ ctx, principal, params }) => {
      const role = await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'view',
      );
      const row = await ctx.db
        .selectFrom('spaces')
        .selectAll()
        .where('id', '=', params.spaceId)
        .executeTakeFirstOrThrow();
      return { status: 200, body: { space: presentSpace(row, role) } };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/spaces/{spaceId}',
    operationId: 'updateSpace',
    tag: 'spaces',
    summary: 'Change a space (name, time zone, location, geofence, lockdown)',
    auth: 'user',
    body: UpdateSpaceBody,
    responses: { 200: SpaceResponse },
    handler: async ({ ctx, principal, params, body }) => {
      const role = await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'admin.write',
      );
      const row = await updateSpace(
        ctx,
        principal.userId,
        params.spaceId,
        body,
      );
      return { status: 200, body: { space: presentSpace(row, role) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/spaces/{spaceId}',
    operationId: 'deleteSpace',
    tag: 'spaces',
    summary: 'Delete a space and everything in it (owners only)',
    auth: 'user',
    responses: { 204: null },
    handler: async ({ ctx, principal, params }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'owner');
      const unitIds = await deleteSpace(ctx, params.spaceId);
      for (const id of unitIds) ctx.units.forget(id);
      return { status: 204 };
    },
  }),
];
