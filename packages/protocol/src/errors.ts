/**
 * Every error the API and the unit protocol can report, with its HTTP status.
 * Ids are stable and meant for programs; messages are for humans (API.md "Conventions").
 */
export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is invalid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_phone: { status: 400, message: 'That phone number is not valid.' },
  sms_country_not_allowed: {
    status: 400,
    message: 'This service does not send SMS to numbers of that country.',
  },
  unauthorized: { status: 401, message: 'Missing or invalid credentials.' },
  invalid_code: { status: 401, message: 'That code is wrong or has expired.' },
  forbidden: { status: 403, message: 'You are not allowed to do that.' },
  insufficient_scope: {
    status: 403,
    message: 'This API key does not have the scope this call needs.',
  },
  no_access: { status: 403, message: 'You have no access to this door.' },
  outside_schedule: {
    status: 403,
    message: 'Your access does not allow opening at this time.',
  },
  not_yet_valid: { status: 403, message: 'Your access has not started yet.' },
  expired: { status: 403, message: 'Your access has expired.' },
  outside_geofence: { status: 403, message: 'You are too far from the door.' },
  location_required: {
    status: 403,
    message: 'This door needs your location to open.',
  },
  door_locked_down: { status: 403, message: 'This door is locked down.' },
  not_found: { status: 404, message: 'Not found.' },
  route_not_found: { status: 404, message: 'No such endpoint.' },
  method_not_allowed: { status: 405, message: 'Method not allowed.' },
  conflict: { status: 409, message: 'That conflicts with the current state.' },
  command_duplicate: {
    status: 409,
    message:
      'The door unit had already carried out this command; it did not pulse again.',
  },
  relay_not_announced: {
    status: 409,
    message: 'The unit did not announce that relay.',
  },
  relay_in_use: {
    status: 409,
    message: 'That relay already drives another door.',
  },
  last_owner: { status: 409, message: 'A space must keep at least one owner.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: {
    status: 415,
    message: 'Send JSON (Content-Type: application/json).',
  },
  rate_limited: { status: 429, message: 'Too many requests; try again later.' },
  internal: { status: 500, message: 'Something went wrong on our side.' },
  unit_failed: {
    status: 502,
    message: 'The door unit could not open the door.',
  },
  unit_rejected_command: {
    status: 502,
    message:
      'The door unit refused the command as invalid; the door did not open.',
  },
  unit_protocol_error: {
    status: 502,
    message:
      'The door unit answered in a way the protocol does not allow; the door may not have opened.',
  },
  web_not_built: {
    status: 503,
    message: 'The phone app is not built yet: run npm run build:web.',
  },
  admin_not_built: {
    status: 503,
    message: 'The dashboard is not built yet: run npm run build:admin.',
  },
  unit_offline: { status: 503, message: 'The door unit is offline.' },
  database_unavailable: {
    status: 503,
    message:
      'The database did not answer; nothing was changed by this request unless it says so. Try again.',
  },
  node_isolated: {
    status: 503,
    message:
      'This server lost its database and cannot vouch for what it has; try again (another node, or in a moment).',
  },
  shutting_down: {
    status: 503,
    message:
      'This server is shutting down; try again (another node, or in a moment).',
  },
  sms_unavailable: {
    status: 503,
    message:
      'The SMS could not be sent right now; no code was used up, try again in a moment.',
  },
  broker_unavailable: {
    status: 503,
    message:
      'The MQTT broker did not confirm the unit account; nothing was changed, try again.',
  },
  unit_timeout: {
    status: 504,
    message: 'The door unit did not answer in time.',
  },
  command_expired: {
    status: 504,
    message:
      'The command reached the door unit too late (or its clock is off); the door did not open.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The reasons the rules give for refusing an open (a subset of ErrorCode). */
export const DENIAL_REASONS = [
  'no_access',
  'outside_schedule',
  'not_yet_valid',
  'expired',
  'outside_geofence',
  'location_required',
  'door_locked_down',
] as const satisfies readonly ErrorCode[];
export type DenialReason = (typeof DENIAL_REASONS)[number];
