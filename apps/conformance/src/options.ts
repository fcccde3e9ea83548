import { z } from 'zod';

const ms = (def: number) =>
  z.coerce.number().int().min(10).max(600_000).default(def);

/** Every setting of the kit: `--kebab-name` on the command line (see README.md). */
export const KitOptions = z.object({
  /** The broker the unit connects to; without it the kit starts a disposable one. */
  url: z
    .string()
    .regex(/^mqtts?:\/\//, 'expected an mqtt:// or mqtts:// URL')
    .optional(),
  /** The unit's credentials (its id is the username); generated for a disposable broker. */
  username: z
    .string()
    .regex(/^[^/+#\s]{1,64}$/, 'a unit id: no / + # or spaces')
    .optional(),
  password: z.string().min(1).optional(),
  /** With --url: the server side's login on that broker (may publish commands and sync). */
  serverUsername: z.string().min(1).optional(),
  serverPassword: z.string().min(1).optional(),
  /** Disposable broker: where it listens (0: a free port). */
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(0),
  /** A shell command the kit starts as the unit (it gets KEYWAY_UNIT_URL/USERNAME/PASSWORD). */
  unitCmd: z.string().min(1).optional(),
  /** A shell command that restarts the vendor's unit (when the kit did not start it). */
  restartCmd: z.string().min(1).optional(),
  /** Relays with a door sensor, e.g. "1,2" (default: whatever the boot report names). */
  sensors: z
    .string()
    .regex(/^[1-4](,[1-4])*$/, 'relay numbers 1-4, comma-separated')
    .transform((s) => s.split(',').map(Number))
    .optional(),
  /** How long to wait for the unit to connect (a vendor may be powering it on). */
  connectTimeoutMs: ms(60_000),
  /** How long to wait for one answer (an ack, an applied report, a reconnect). */
  timeoutMs: ms(3_000),
  /** How long "nothing happens" must last (no ack, no pulse) to count. */
  quietMs: ms(800),
  /** Run only the rules of these sections, e.g. "§3,§7" (or "3,7"): to iterate on one rule. */
  only: z
    .string()
    .regex(/^(§?\d+(\.\d+)?)(,§?\d+(\.\d+)?)*$/, 'sections, e.g. §4.3,§5.1')
    .transform((s) =>
      s.split(',').map((x) => (x.startsWith('§') ? x : `§${x}`)),
    )
    .optional(),
  verbose: z.coerce.boolean().default(false),
});
export type KitOptions = z.infer<typeof KitOptions>;
export type KitInput = z.input<typeof KitOptions>;

const FLAGS = Object.keys(KitOptions.shape) as (keyof KitOptions)[];
const flagOf = (name: string) =>
  `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export type Parsed =
  | { kind: 'options'; options: KitOptions }
  | { kind: 'help' }
  | { kind: 'error'; problems: string[] };

/** `--flag value` pairs (and a bare `--verbose`); every problem reported at once. */
export function parseArgs(argv: readonly string[]): Parsed {
  const byFlag = new Map(FLAGS.map((f) => [flagOf(f), f]));
  const raw: Record<string, string> = {};
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    const name = byFlag.get(arg);
    if (!name) {
      problems.push(`unknown flag ${arg}`);
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

Runs a door unit through the rules of docs/unit-protocol.md, playing the server.
Without --url it starts a disposable broker (the one a Keyway server embeds) and prints
the credentials to give the unit.

${FLAGS.map((f) => `  ${flagOf(f)}`).join('\n')}

See apps/conformance/README.md.
`;
