import { z } from 'zod';

const ms = (def: number) =>
  z.coerce.number().int().min(10).max(600_000).default(def);

/** Every setting of the kit, with its --help line: flag `--kebab-name` (see README.md). */
const SETTINGS = {
  url: {
    schema: z
      .string()
      .regex(/^mqtts?:\/\//, 'expected an mqtt:// or mqtts:// URL')
      .optional(),
    help: 'a broker to use (needs the four credentials); default: a disposable one',
  },
  username: {
    schema: z
      .string()
      .regex(/^[^/+#\s]{1,64}$/, 'a unit id: no / + # or spaces')
      .optional(),
    help: "the unit's id, its MQTT username (default: generated)",
  },
  password: {
    schema: z.string().min(1).optional(),
    help: "the unit's password (default: generated)",
  },
  serverUsername: {
    schema: z.string().min(1).optional(),
    help: "with --url: the kit's login as the server side (publishes commands, sync)",
  },
  serverPassword: {
    schema: z.string().min(1).optional(),
    help: 'with --url: its password',
  },
  host: {
    schema: z.string().default('127.0.0.1'),
    help: 'disposable broker: the address it listens on (default 127.0.0.1)',
  },
  port: {
    schema: z.coerce.number().int().min(0).max(65535).default(0),
    help: 'disposable broker: its port (default 0, a free one)',
  },
  unitCmd: {
    schema: z.string().min(1).optional(),
    help: 'start the unit as this shell command (gets KEYWAY_UNIT_URL/USERNAME/PASSWORD/STATE_FILE)',
  },
  restartCmd: {
    schema: z.string().min(1).optional(),
    help: 'without --unit-cmd: a shell command that restarts the unit (a power cut is best)',
  },
  sensors: {
    schema: z
      .string()
      .regex(/^[1-4](,[1-4])*$/, 'relay numbers 1-4, comma-separated')
      .transform((s) => s.split(',').map(Number))
      .optional(),
    help: 'relays with a door sensor, e.g. 1,2 (default: what the first boot report names)',
  },
  connectTimeoutMs: {
    schema: ms(60_000),
    help: "how long to wait for the unit's first online (default 60000)",
  },
  timeoutMs: {
    schema: ms(3_000),
    help: 'how long to wait for one answer: an ack, an applied, a reconnect (default 3000)',
  },
  quietMs: {
    schema: ms(800),
    help: 'how long nothing must happen (no ack, no pulse) to count (default 800)',
  },
  only: {
    schema: z
      .string()
      .regex(/^(§?\d+(\.\d+)?)(,§?\d+(\.\d+)?)*$/, 'sections, e.g. §4.3,§5.1')
      .transform((s) =>
        s.split(',').map((x) => (x.startsWith('§') ? x : `§${x}`)),
      )
      .optional(),
    help: 'run only the rules of these sections, e.g. §4.3,§5.1 (to iterate on one rule)',
  },
  verbose: {
    schema: z.coerce.boolean().default(false),
    help: 'print what the started unit printed (a flag without a value)',
  },
} as const;

type Settings = typeof SETTINGS;
export const KitOptions = z.object(
  Object.fromEntries(
    Object.entries(SETTINGS).map(([name, s]) => [name, s.schema]),
  ) as { [K in keyof Settings]: Settings[K]['schema'] },
);
export type KitOptions = z.infer<typeof KitOptions>;
export type KitInput = z.input<typeof KitOptions>;

const NAMES = Object.keys(SETTINGS) as (keyof Settings)[];
const flagOf = (name: string) =>
  `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export type Parsed =
  | { kind: 'options'; options: KitOptions }
  | { kind: 'help' }
  | { kind: 'error'; problems: string[] };

/** `--flag value` pairs (and a bare `--verbose`); every problem reported at once. */
export function parseArgs(argv: readonly string[]): Parsed {
  const byFlag = new Map(NAMES.map((f) => [flagOf(f), f]));
  const raw: Record<string, string> = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    const name = byFlag.get(arg);
    if (!name) {
      problems.push(`unknown flag ${arg}`);
      if (!argv[i + 1]?.startsWith('--')) i++; // and its value
      continue;
    }
    if (name === 'verbose') {
      raw[name] = 'true';
      continue;
    }
    const value = argv[++i];
    if (value === undefined) problems.push(`${arg} needs a value`);
    else raw[name] = value;
  }
  const parsed = KitOptions.safeParse(raw);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      problems.push(`${flagOf(String(issue.path[0]))}: ${issue.message}`);
  if (parsed.success && parsed.data.url) {
    const o = parsed.data;
    for (const need of [
      'username',
      'password',
      'serverUsername',
      'serverPassword',
    ] as const)
      if (!o[need]) problems.push(`--url needs ${flagOf(need)}`);
  }
  if (problems.length > 0 || !parsed.success)
    return { kind: 'error', problems };
  return { kind: 'options', options: parsed.data };
}

export const HELP = `npm run unit-conformance -- [flags]

Runs a door unit through the rules of docs/unit-protocol.md, playing the server, and prints
one PASS/FAIL line per rule; exits 1 when one fails. Without --url it starts a disposable
broker (the one a Keyway server embeds) and prints the credentials to give the unit.

${NAMES.map((n) => `  ${flagOf(n).padEnd(22)} ${SETTINGS[n].help}`).join('\n')}

See apps/conformance/README.md.
`;
