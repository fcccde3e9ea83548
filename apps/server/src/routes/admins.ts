import {
  AddAdminBody,
  AdminResponse,
  AdminsResponse,
  UpdateAdminBody,
} from '@keyway/protocol';
import { putAdmin, removeAdmin } from '../commands/admins';
import { notFound } from '../errors';
import { defineRoute } from '../http/route';
import { toE164 } from '../phone';
import { authorizeSpace } from '../policy/space';
import { adminPhone, listAdmins } from '../queries/admins';

export const adminRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/spaces/{spaceId}/admins',
    operationId: 'createAdmin',
    errors: ['invalid_phone'],
    tag: 'admins',
    summary:
      'Make someone (by phone number) an owner, admin or viewer of the space (owners only)',
    auth: 'user',
    body: AddAdminBody,
    responses: { 201: AdminResponse },
    handler: async ({ ctx, principal, params, body }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'owner');
      const admin = await putAdmin(
        ctx,
        principal.userId,
        params.spaceId,
        toE164(body.phone),
        body.role,
      );
      return { status: 201, body: { admin } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/admins',
    operationId: 'listAdmins',
    tag: 'admins',
    summary: 'The space’s admins and their roles',
    auth: 'user',
    responses: { 200: AdminsResponse },
    handler: async ({ ctx, principal, params }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'admin.read');
      return {
        status: 200,
        body: { admins: await listAdmins(ctx, params.spaceId) },
      };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/spaces/{spaceId}/admins/{userId}',
    operationId: 'updateAdmin',
    errors: ['last_owner'],
    tag: 'admins',
    summary: 'Change an admin’s role (owners only)',
    auth: 'user',
    body: UpdateAdminBody,
    responses: { 200: AdminResponse },
    handler: async ({ ctx, principal, params, body }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'owner');
      const phone = await adminPhone(ctx, params.spaceId, params.userId);
      if (!phone) throw notFound('No such admin.');
      const admin = await putAdmin(
        ctx,
        principal.userId,
        params.spaceId,
        phone,
        body.role,
      );
      return { status: 200, body: { admin } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/spaces/{spaceId}/admins/{userId}',
    operationId: 'deleteAdmin',
    errors: ['last_owner'],
    tag: 'admins',
    summary: 'Remove an admin (owners only; a space keeps at least one owner)',
    auth: 'user',
    responses: { 204: null },
    handler: async ({ ctx, principal, params }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'owner');
      await removeAdmin(ctx, principal.userId, params.spaceId, params.userId);
      return { status: 204 };
    },
  }),
];
