import { createApiClient } from './http-client';

/** The phone app's one way to talk HTTP to the server (see http-client.ts). */
export { ApiError } from './http-client';
export const { api, setToken, setUnauthorizedHandler } = createApiClient();
