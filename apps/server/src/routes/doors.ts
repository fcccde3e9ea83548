import {
  CreateDoorBody,
  DENIAL_REASONS,
  DoorResponse,
  DoorStateQuery,
  DoorStateResponse,
  DoorsResponse,
  OpenDoorBody,
  OpenDoorResponse,
  UpdateDoorBody,
} from '@keyway/protocol';
import { createDoor, deleteDoor, updateDoor } from '../commands/doors';
import { openDoor } from '../commands/open-door';
import { defineRoute } from '../http/route';
import { authorizeDoorView, authorizeResource } from '../policy/resources';
import { authorizeSpace } from '../policy/space';
import { presentDoor } from '../presenters/door';
import { getDoor, getDoorState, listDoors } from '../queries/doors';

export const doorRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/spaces/{spaceId}/doors',
    operationId: 'createDoor',
    errors: ['relay_in_use', 'relay_not_announced'],
    tag: 'doors',
    summary: 'Add a door on one of a unit’s relays (1–4)',
    auth: 'user',
    scope: 'doors:write',
    body: CreateDoorBody,
    responses: { 201: DoorResponse },
    handler: async ({ ctx, principal, params, body }) => {
      await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'admin.write',
      );
      const { row, warnings } = await createDoor(
        ctx,
        principal.userId,
        params.spaceId,
        body,
      );
      return {
        status: 201,
        body: {
          door: presentDoor(row),
          ...(warnings.length ? { warnings } : {}),
        },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/doors',
    operationId: 'listDoors',
    tag: 'doors',
    summary: 'The space’s doors (for a member: the doors her groups give her)',
    auth: 'user',
    scope: 'doors:read',
    responses: { 200: DoorsResponse },
    handler: async ({ ctx, principal, params }) => {
      const role = await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'view',
      );
      const doors = await listDoors(
        ctx,
        params.spaceId,
        role === 'member' ? principal.userId : undefined,
      );
      return { status: 200, body: { doors } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/doors/{doorId}',
    operationId: 'getDoor',
    tag: 'doors',
    summary: 'One door',
    auth: 'user',
    scope: 'doors:read',
    responses: { 200: DoorResponse },
    handler: async ({ ctx, principal, params }) => {
      await authorizeDoorView(ctx, principal.userId, params.doorId);
      return {
        status: 200,
        body: { door: await getDoor(ctx, params.doorId) },
      };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/doors/{doorId}',
    operationId: 'updateDoor',
    errors: ['relay_in_use', 'relay_not_announced'],
    tag: 'doors',
    summary: 'Change a door (name, unit, relay, pulse length, sensor)',
    auth: 'user',
    scope: 'doors:write',
    body: UpdateDoorBody,
    responses: { 200: DoorResponse },
    handler: async ({ ctx, principal, params, body }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'doors',
        params.doorId,
        'admin.write',
      );
      const { row, warnings } = await updateDoor(
        ctx,
        principal.userId,
        spaceId,
        params.doorId,
        body,
      );
      return {
        status: 200,
        body: {
          door: presentDoor(row),
          ...(warnings.length ? { warnings } : {}),
        },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/doors/{doorId}',
    operationId: 'deleteDoor',
    tag: 'doors',
    summary: 'Delete a door (its history stays in the access log)',
    auth: 'user',
    scope: 'doors:write',
    responses: { 204: null },
    handler: async ({ ctx, principal, params }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'doors',
        params.doorId,
        'admin.write',
      );
      await deleteDoor(ctx, principal.userId, spaceId, params.doorId);
      return { status: 204 };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/doors/{doorId}/state',
    operationId: 'getDoorState',
    tag: 'doors',
    summary: 'The door’s state now, or at a past instant (?at=)',
    auth: 'user',
    scope: 'doors:read',
    query: DoorStateQuery,
    responses: { 200: DoorStateResponse },
    handler: async ({ ctx, principal, params, query }) => {
      await authorizeDoorView(ctx, principal.userId, params.doorId);
      const at = query.at ? new Date(query.at) : ctx.clock.now();
      return {
        status: 200,
        body: { door: await getDoorState(ctx, params.doorId, at) },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/doors/{doorId}/open',
    operationId: 'openDoor',
    errors: [
      ...DENIAL_REASONS,
      'unit_offline',
      'unit_timeout',
      'unit_failed',
      'command_expired',
      'command_duplicate',
      'unit_rejected_command',
      'unit_protocol_error',
    ],
    audit: false, // not a change: the access log has every attempt
    tag: 'doors',
    summary: 'Open a door: rules, then the unit pulses the relay and confirms',
    auth: 'user',
    scope: 'doors:open',
    body: OpenDoorBody,
    responses: { 200: OpenDoorResponse },
    handler: async ({ ctx, principal, params, body }) => {
      const event = await openDoor(ctx, {
        userId: principal.userId,
        doorId: params.doorId,
        location: body.location,
      });
      return { status: 200, body: { result: 'opened', event } };
    },
  }),
];
