import {
  CreateGroupBody,
  GroupResponse,
  GroupsResponse,
  UpdateGroupBody,
} from '@keyway/protocol';
import { createGroup, deleteGroup, updateGroup } from '../commands/groups';
import { defineRoute } from '../http/route';
import { authorizeResource } from '../policy/resources';
import { authorizeSpace } from '../policy/space';
import { getGroup, groupOf, listGroups } from '../queries/groups';

export const groupRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/spaces/{spaceId}/groups',
    operationId: 'createGroup',
    tag: 'groups',
    summary: 'Create a group of doors, with an optional geofence radius',
    auth: 'user',
    scope: 'groups:write',
    body: CreateGroupBody,
    responses: { 201: GroupResponse },
    handler: async ({ ctx, principal, params, body }) => {
      await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'admin.write',
      );
      const row = await createGroup(
        ctx,
        principal.userId,
        params.spaceId,
        body,
      );
      return { status: 201, body: { group: await groupOf(ctx, row) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/groups',
    operationId: 'listGroups',
    tag: 'groups',
    summary: 'The space’s groups',
    auth: 'user',
    scope: 'groups:read',
    responses: { 200: GroupsResponse },
    handler: async ({ ctx, principal, params }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'admin.read');
      return {
        status: 200,
        body: { groups: await listGroups(ctx, params.spaceId) },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/groups/{groupId}',
    operationId: 'getGroup',
    tag: 'groups',
    summary: 'One group',
    auth: 'user',
    scope: 'groups:read',
    responses: { 200: GroupResponse },
    handler: async ({ ctx, principal, params }) => {
      await authorizeResource(
        ctx,
        principal.userId,
        'access_groups',
        params.groupId,
        'admin.read',
      );
      return {
        status: 200,
        body: { group: await getGroup(ctx, params.groupId) },
      };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/groups/{groupId}',
    operationId: 'updateGroup',
    tag: 'groups',
    summary: 'Change a group (name, doors, geofence)',
    auth: 'user',
    scope: 'groups:write',
    body: UpdateGroupBody,
    responses: { 200: GroupResponse },
    handler: async ({ ctx, principal, params, body }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'access_groups',
        params.groupId,
        'admin.write',
      );
      const row = await updateGroup(
        ctx,
        principal.userId,
        spaceId,
        params.groupId,
        body,
      );
      return { status: 200, body: { group: await groupOf(ctx, row) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/groups/{groupId}',
    operationId: 'deleteGroup',
    tag: 'groups',
    summary: 'Delete a group (its members lose the doors it gave them)',
    auth: 'user',
    scope: 'groups:write',
    responses: { 204: null },
    handler: async ({ ctx, principal, params }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'access_groups',
        params.groupId,
        'admin.write',
      );
      await deleteGroup(ctx, principal.userId, spaceId, params.groupId);
      return { status: 204 };
    },
  }),
];
