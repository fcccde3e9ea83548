import {
  CreateMemberBody,
  MemberResponse,
  MembersResponse,
  UpdateMemberBody,
} from '@keyway/protocol';
import { createMember, deleteMember, updateMember } from '../commands/members';
import { defineRoute } from '../http/route';
import { toE164 } from '../phone';
import { authorizeResource } from '../policy/resources';
import { authorizeSpace } from '../policy/space';
import { getMember, listMembers } from '../queries/members';

export const memberRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/spaces/{spaceId}/members',
    operationId: 'createMember',
    errors: ['invalid_phone', 'conflict'],
    tag: 'members',
    summary: 'Add a member by phone number, in basic (24/7) or advanced mode',
    auth: 'user',
    scope: 'members:write',
    body: CreateMemberBody,
    responses: { 201: MemberResponse },
    handler: async ({ ctx, principal, params, body }) => {
      await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'admin.write',
      );
      const id = await createMember(
        ctx,
        principal.userId,
        params.spaceId,
        toE164(body.phone),
        body,
      );
      return { status: 201, body: { member: await getMember(ctx, id) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/members',
    operationId: 'listMembers',
    tag: 'members',
    summary: 'The space’s members',
    auth: 'user',
    scope: 'members:read',
    responses: { 200: MembersResponse },
    handler: async ({ ctx, principal, params }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'admin.read');
      return {
        status: 200,
        body: {
          members: await listMembers(ctx, params.spaceId),
        },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/members/{memberId}',
    operationId: 'getMember',
    tag: 'members',
    summary: 'One member (admins, or the member herself)',
    auth: 'user',
    scope: 'members:read',
    responses: { 200: MemberResponse },
    handler: async ({ ctx, principal, params }) => {
      const member = await getMember(ctx, params.memberId);
      if (member.userId !== principal.userId)
        await authorizeResource(
          ctx,
          principal.userId,
          'members',
          params.memberId,
          'admin.read',
        );
      return { status: 200, body: { member } };
    },
  }),
  defineRoute({
    method: 'PATCH',
    path: '/v1/members/{memberId}',
    operationId: 'updateMember',
    tag: 'members',
    summary:
      'Change a member’s groups, access mode and time frames, or geofence',
    auth: 'user',
    scope: 'members:write',
    body: UpdateMemberBody,
    responses: { 200: MemberResponse },
    handler: async ({ ctx, principal, params, body }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'members',
        params.memberId,
        'admin.write',
      );
      await updateMember(ctx, principal.userId, spaceId, params.memberId, body);
      return {
        status: 200,
        body: { member: await getMember(ctx, params.memberId) },
      };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/members/{memberId}',
    operationId: 'deleteMember',
    tag: 'members',
    summary: 'Revoke a member: her access ends at once',
    auth: 'user',
    scope: 'members:write',
    responses: { 204: null },
    handler: async ({ ctx, principal, params }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'members',
        params.memberId,
        'admin.write',
      );
      await deleteMember(ctx, principal.userId, spaceId, params.memberId);
      return { status: 204 };
    },
  }),
];
