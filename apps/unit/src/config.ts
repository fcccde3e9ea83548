import type { LatLon } from '@keyway/protocol';
import {
  envOf,
  flagOf,
  NAMES,
  SETTINGS,
  type Setting,
  type SettingName,
  type Values,
} from './settings';
import { readCa } from './tls';

export { envOf, flagOf, SETTINGS, type SettingName } from './settings';

export interface UnitConfig extends Omit<Values, 'lat' | 'lon' | 'stateFile'> {
  location?: LatLon;
  /** Where the synced view is kept. */
  stateFile: string;
}

export const defaultStateFile = (unitId: string) =>
  `./keyway-unit-${unitId}.json`;

export type ConfigResult =
  | { kind: 'config'; config: UnitConfig }
  | { kind: 'help'; text: string }
  | { kind: 'error'; problems: string[] };

/** Reads flags (which win) and environment variables, and reports every problem at once. */
export function parseConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): ConfigResult {
  const byFlag = new Map(NAMES.map((name) => [flagOf(name), name]));
  const flags = new Map<SettingName, string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h')
      return { kind: 'help', text: helpText() };
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    const name = byFlag.get(flag);
    if (!name) {
      problems.push(
        arg.startsWith('-')
          ? `unknown flag ${flag}`
          : `unexpected argument "${arg}"`,
      );
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) problems.push(`${flag} needs a value`);
    else flags.set(name, value);
  }

  const values: Partial<Record<SettingName, unknown>> = {};
  const sources = new Map<SettingName, string>();
  for (const name of NAMES) {
    const s: Setting<unknown> = SETTINGS[name];
    const fromEnv = env[envOf(name)] || undefined;
    const raw = flags.get(name) ?? fromEnv ?? s.default;
    const source = flags.has(name)
      ? flagOf(name)
      : fromEnv !== undefined
        ? envOf(name)
        : flagOf(name);
    sources.set(name, source);
    if (raw === undefined && !s.schema.safeParse(undefined).success) {
      problems.push(`${flagOf(name)} is required (or set ${envOf(name)})`);
      continue;
    }
    const parsed = s.schema.safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else {
      const shown = s.secret ? '' : ` "${raw}"`;
      problems.push(
        `invalid ${source}${shown}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
    }
  }
  if (
    (values.lat === undefined) !== (values.lon === undefined) &&
    !problems.some((p) => /--lat|--lon/.test(p))
  ) {
    problems.push('--lat and --lon must be given together');
  }
  const v = values as Values;
  if (v.ca !== undefined) {
    const source = sources.get('ca') ?? '--ca';
    if (typeof v.url === 'string' && !v.url.startsWith('mqtts://'))
      problems.push(
        `${source} needs an mqtts:// --url: plain mqtt:// has no certificate to verify`,
      );
    const ca = readCa(v.ca);
    if (!ca.ok) problems.push(`invalid ${source} "${v.ca}": ${ca.problem}`);
  }
  if (v.reconnectMinMs > v.reconnectMaxMs)
    problems.push('--reconnect-min-ms must not exceed --reconnect-max-ms');
  if (problems.length > 0) return { kind: 'error', problems };

  const { lat, lon, stateFile, ...rest } = v;
  const location =
    lat !== undefined && lon !== undefined ? { lat, lon } : undefined;
  const config = {
    ...rest,
    stateFile: stateFile ?? defaultStateFile(rest.username),
  };
  return {
    kind: 'config',
    config: { ...config, ...(location && { location }) },
  };
}

export function helpText(): string {
  const rows = NAMES.map((name) => {
    const s: Setting<unknown> = SETTINGS[name];
    const required =
      s.default === undefined && !s.schema.safeParse(undefined).success;
    const note = required
      ? ' (required)'
      : s.default !== undefined
        ? ` (default ${s.default})`
        : '';
    return [
      `${flagOf(name)} <${s.placeholder}>`,
      envOf(name),
      `${s.description}${note}`,
    ];
  });
  const width = (col: number) =>
    Math.max(...rows.map((r) => r[col]?.length ?? 0));
  const lines = rows.map(
    ([flag = '', env = '', text = '']) =>
      `  ${flag.padEnd(width(0))}  ${env.padEnd(width(1))}  ${text}`,
  );
  return [
    'keyway-unit: the door-unit agent of Keyway.',
    '',
    'Usage: npm run unit -- --url <url> --username <unitId> --password <secret> [options]',
    '',
    'Every flag can also be set by its environment variable; a flag wins over the variable.',
    '',
    ...lines,
    `  ${'--help'.padEnd(width(0))}  ${''.padEnd(width(1))}  print this help`,
    '',
  ].join('\n');
}
