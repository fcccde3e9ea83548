import {
  CreateSpaceBody,
  SpaceResponse,
  SpacesResponse,
  UpdateSpaceBody,
} from '@keyway/protocol';
import { createSpace, deleteSpace, updateSpace } from '../commands/spaces';
import { defineRoute } from '../http/route';
import { authorizeSpace } from '../policy/space';
import { presentSpace } from '../presenters/space';
import { getSpace, listSpacesOf } from '../queries/spaces';

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
      return {
        status: 200,
        body: { spaces: await listSpacesOf(ctx, principal.userId) },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}',
    operationId: 'getSpace',
    tag: 'spaces',
    summary: 'One space',
    auth: 'user',
    scope: 'spaces:read',
    responses: { 200: SpaceResponse },
    handler: async ({ ctx, principal, params }) => {
      const role = await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'view',
      );
      return {
        status: 200,
        body: { space: await getSpace(ctx, params.spaceId, role) },
      };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/spaces/{spaceId}',
    operationId: 'updateSpace',
    tag: 'spaces',
    summary: 'Change a space (name, time zone, location, geofence, lockdown)',
    auth: 'user',
    scope: 'spaces:write',
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
