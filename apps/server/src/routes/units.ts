import {
  CreateUnitBody,
  CreateUnitResponse,
  UnitCredentials,
  UnitResponse,
  UnitsResponse,
  UpdateUnitBody,
} from '@keyway/protocol';
import { z } from 'zod';
import {
  createUnit,
  deleteUnit,
  renameUnit,
  resetUnitCredentials,
} from '../commands/units';
import { defineRoute } from '../http/route';
import { authorizeResource } from '../policy/resources';
import { authorizeSpace } from '../policy/space';
import { presentUnit } from '../presenters/unit';
import { getUnit, listUnits } from '../queries/units';

export const unitRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/spaces/{spaceId}/units',
    operationId: 'createUnit',
    tag: 'units',
    summary: 'Register a door unit; its MQTT credentials are returned once',
    auth: 'user',
    scope: 'units:write',
    body: CreateUnitBody,
    responses: { 201: CreateUnitResponse },
    handler: async ({ ctx, principal, params, body }) => {
      await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'admin.write',
      );
      const { row, credentials } = await createUnit(
        ctx,
        principal.userId,
        params.spaceId,
        body.name,
      );
      return { status: 201, body: { unit: presentUnit(row), credentials } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/units',
    operationId: 'listUnits',
    tag: 'units',
    summary: 'The space’s units with their online state',
    auth: 'user',
    scope: 'units:read',
    responses: { 200: UnitsResponse },
    handler: async ({ ctx, principal, params }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'admin.read');
      return {
        status: 200,
        body: { units: await listUnits(ctx, params.spaceId) },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/units/{unitId}',
    operationId: 'getUnit',
    tag: 'units',
    summary: 'One unit',
    auth: 'user',
    scope: 'units:read',
    responses: { 200: UnitResponse },
    handler: async ({ ctx, principal, params }) => {
      await authorizeResource(
        ctx,
        principal.userId,
        'units',
        params.unitId,
        'admin.read',
      );
      return {
        status: 200,
        body: { unit: await getUnit(ctx, params.unitId) },
      };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/units/{unitId}',
    operationId: 'updateUnit',
    tag: 'units',
    summary: 'Rename a unit',
    auth: 'user',
    scope: 'units:write',
    body: UpdateUnitBody,
    responses: { 200: UnitResponse },
    handler: async ({ ctx, principal, params, body }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'units',
        params.unitId,
        'admin.write',
      );
      const row = await renameUnit(
        ctx,
        principal.userId,
        spaceId,
        params.unitId,
        body.name,
      );
      return { status: 200, body: { unit: presentUnit(row) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/units/{unitId}/credentials',
    operationId: 'resetUnitCredentials',
    tag: 'units',
    summary:
      'Issue a new password for a unit (the old one stops working at once)',
    auth: 'user',
    scope: 'units:write',
    responses: { 201: z.object({ credentials: UnitCredentials }) },
    handler: async ({ ctx, principal, params }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'units',
        params.unitId,
        'admin.write',
      );
      const credentials = await resetUnitCredentials(
        ctx,
        principal.userId,
        spaceId,
        params.unitId,
      );
      return { status: 201, body: { credentials } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/units/{unitId}',
    operationId: 'deleteUnit',
    tag: 'units',
    summary: 'Delete a unit and its doors',
    auth: 'user',
    scope: 'units:write',
    responses: { 204: null },
    handler: async ({ ctx, principal, params }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'units',
        params.unitId,
        'admin.write',
      );
      await deleteUnit(ctx, principal.userId, spaceId, params.unitId);
      return { status: 204 };
    },
  }),
];
