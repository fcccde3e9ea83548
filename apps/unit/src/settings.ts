import { Id } from '@keyway/protocol';
import { z } from 'zod';
import { DRIVER_NAMES } from './drivers/driver';

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const decimal = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, 'expected a number')
    .transform(Number)
    .pipe(z.number().min(min).max(max));

const MqttUrl = z.string().refine((value) => {
  try {
    return ['mqtt:', 'mqtts:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, 'expected an mqtt:// or mqtts:// URL');

export interface Setting<T> {
  schema: z.ZodType<T>;
  description: string;
  /** Raw value used when neither the flag nor the environment variable is set. */
  default?: string;
  placeholder: string;
  /** Never echoed back in error messages. */
  secret?: boolean;
}

const setting = <T>(s: Setting<T>) => s;

/** Every setting of the unit agent. Flag `--kebab-name`, variable `KEYWAY_UNIT_SNAKE_NAME`. */
export const SETTINGS = {
  url: setting({
    schema: MqttUrl,
    placeholder: 'url',
    description: 'broker URL from the unit credentials',
  }),
  ca: setting({
    schema: z.string().trim().min(1).optional(),
    placeholder: 'file',
    description:
      "PEM file of the CA that signed the server's certificate; the server must present one it signed, for the URL's host (mqtts:// only; without it the system's CAs)",
  }),
  username: setting({
    schema: Id.regex(/^[^/+#]+$/, 'must not contain / + or #'),
    placeholder: 'unitId',
    description: 'MQTT username, which is the unit id',
  }),
  password: setting({
    schema: z.string().min(1),
    placeholder: 'secret',
    secret: true,
    description:
      'MQTT password given when the unit was created (prefer the variable)',
  }),
  driver: setting({
    schema: z.enum(DRIVER_NAMES),
    default: 'sim',
    placeholder: 'name',
    description: 'hardware driver',
  }),
  relays: setting({
    schema: integer(1, 4),
    default: '4',
    placeholder: 'n',
    description: 'relays wired (1-4)',
  }),
  lat: setting({
    schema: decimal(-90, 90).optional(),
    placeholder: 'deg',
    description: "unit's latitude",
  }),
  lon: setting({
    schema: decimal(-180, 180).optional(),
    placeholder: 'deg',
    description: "unit's longitude",
  }),
  logLevel: setting({
    schema: z.enum([
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
    default: 'info',
    placeholder: 'level',
    description: 'fatal, error, warn, info, debug, trace or silent',
  }),
  logPretty: setting({
    schema: z.enum(['auto', 'true', 'false']),
    default: 'auto',
    placeholder: 'when',
    description:
      'human-readable logs: auto (when stdout is a terminal), true or false',
  }),
  simCloseMs: setting({
    schema: integer(0, 600_000),
    default: '3000',
    placeholder: 'ms',
    description: 'sim driver: how long a door stays open after a pulse',
  }),
  reconnectMinMs: setting({
    schema: integer(10, 60_000),
    default: '500',
    placeholder: 'ms',
    description: 'first reconnect delay, doubled per failure',
  }),
  reconnectMaxMs: setting({
    schema: integer(10, 600_000),
    default: '30000',
    placeholder: 'ms',
    description: 'cap on the reconnect delay',
  }),
  keepaliveSec: setting({
    schema: integer(1, 3600),
    default: '15',
    placeholder: 's',
    description:
      'MQTT keep-alive: the broker drops a unit silent for 1.5 times this (a stalled link)',
  }),
  stateFile: setting({
    schema: z.string().trim().min(1).optional(),
    placeholder: 'path',
    description:
      'file keeping the synced configuration across restarts (default ./keyway-unit-<unitId>.json)',
  }),
};

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
export type Values = { [K in SettingName]: z.output<Settings[K]['schema']> };

export const NAMES = Object.keys(SETTINGS) as SettingName[];
export const flagOf = (name: string) =>
  `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
export const envOf = (name: string) =>
  `KEYWAY_UNIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
