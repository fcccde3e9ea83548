import {
  ApiKeyCreatedResponse,
  ApiKeysResponse,
  CreateApiKeyBody,
} from '@keyway/protocol';
import { createApiKey, revokeApiKey, rotateApiKey } from '../commands/api-keys';
import { defineRoute } from '../http/route';
import { authorizeResource } from '../policy/resources';
import { authorizeSpace } from '../policy/space';
import { presentApiKey } from '../presenters/api-key';
import { listApiKeys } from '../queries/api-keys';

/**
 * API keys (API.md "Integrations"): made, rotated and revoked by the space's owners and admins
 * in person — no route here names a scope, so a key can never make or widen another.
 */
export const apiKeyRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/spaces/{spaceId}/api-keys',
    operationId: 'createApiKey',
    tag: 'integrations',
    summary:
      'Create an API key for the space; its secret is in this answer only',
    auth: 'user',
    body: CreateApiKeyBody,
    responses: { 201: ApiKeyCreatedResponse },
    handler: async ({ ctx, principal, params, body }) => {
      await authorizeSpace(
        ctx,
        principal.userId,
        params.spaceId,
        'admin.write',
      );
      const { row, secret } = await createApiKey(
        ctx,
        principal.userId,
        params.spaceId,
        body,
      );
      return { status: 201, body: { apiKey: presentApiKey(row), secret } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/spaces/{spaceId}/api-keys',
    operationId: 'listApiKeys',
    tag: 'integrations',
    summary: 'The space’s API keys (never their secrets)',
    auth: 'user',
    responses: { 200: ApiKeysResponse },
    handler: async ({ ctx, principal, params }) => {
      await authorizeSpace(ctx, principal.userId, params.spaceId, 'admin.read');
      return {
        status: 200,
        body: { apiKeys: await listApiKeys(ctx, params.spaceId) },
      };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/api-keys/{keyId}/rotate',
    operationId: 'rotateApiKey',
    tag: 'integrations',
    summary: 'Give the key a new secret; the old one stops at once',
    auth: 'user',
    responses: { 200: ApiKeyCreatedResponse },
    handler: async ({ ctx, principal, params }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'api_keys',
        params.keyId,
        'admin.write',
      );
      const { row, secret } = await rotateApiKey(
        ctx,
        principal.userId,
        spaceId,
        params.keyId,
      );
      return { status: 200, body: { apiKey: presentApiKey(row), secret } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/api-keys/{keyId}',
    operationId: 'revokeApiKey',
    tag: 'integrations',
    summary: 'Revoke the key: it answers 401 from now on',
    auth: 'user',
    responses: { 204: null },
    handler: async ({ ctx, principal, params }) => {
      const { spaceId } = await authorizeResource(
        ctx,
        principal.userId,
        'api_keys',
        params.keyId,
        'admin.write',
      );
      await revokeApiKey(ctx, principal.userId, spaceId, params.keyId);
      return { status: 204 };
    },
  }),
];
