import { isIP } from 'node:net';
import { z } from 'zod';
import { SMS_CONFIG, smsProblems } from './config-sms';

/**
 * The server's whole configuration, one validated table. It feeds environment variables,
 * `--help`, and the README's table (`npm run serve -- --help`).
 */
const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');
/** An address, a CIDR range or a proxy-addr name (Fastify's trustProxy). */
function isProxyAddress(v: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(v)) return true;
  const [addr, bits, ...rest] = v.split('/');
  const family = isIP(addr ?? '');
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

const port = z.coerce.number().int().min(0).max(65535);

export const CONFIG_TABLE = {
  host: {
    env: 'KEYWAY_HOST',
    schema: z.string().min(1),
    default: '127.0.0.1',
    doc: 'Address the HTTP server listens on.',
  },
  port: {
    env: 'KEYWAY_PORT',
    schema: port,
    default: '8480',
    doc: 'HTTP port (0 picks a free one).',
  },
  publicUrl: {
    env: 'KEYWAY_PUBLIC_URL',
    schema: z.url().optional(),
    default: undefined,
    doc: 'Base URL printed for clients; defaults to http://HOST:PORT (https:// with KEYWAY_TLS_CERT, whose certificate must name its host).',
  },
  tlsCert: {
    env: 'KEYWAY_TLS_CERT',
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'With KEYWAY_TLS_KEY: the API serves https:// and wss:// itself (no proxy). PEM file: the certificate, then its intermediates. SIGHUP re-reads it.',
  },
  tlsKey: {
    env: 'KEYWAY_TLS_KEY',
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: "The PEM file of KEYWAY_TLS_CERT's private key (unencrypted; readable by the server only).",
  },
  trustProxy: {
    env: 'KEYWAY_TRUST_PROXY',
    schema: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .refine(
                isProxyAddress,
                'expected IP addresses, CIDR ranges, loopback, linklocal or uniquelocal',
              ),
          )
          .min(1),
      )
      .optional(),
    default: undefined,
    doc: 'Load balancers (comma-separated addresses or CIDR ranges, e.g. 10.0.0.5 or loopback) whose X-Forwarded-For names the client; from anyone else it is ignored.',
  },
  dataDir: {
    env: 'KEYWAY_DATA_DIR',
    schema: z.string().min(1),
    default: './data',
    doc: 'Folder for the SQLite database (keyway.db).',
  },
  databaseUrl: {
    env: 'KEYWAY_DATABASE_URL',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected postgres://…')
      .optional(),
    default: undefined,
    doc: 'Use PostgreSQL instead of SQLite (postgres://user@host:port/db).',
  },
  webBuild: {
    env: 'KEYWAY_WEB_BUILD',
    schema: bool,
    default: 'true',
    doc: '`npm run serve` builds the web apps first when their build is missing or older than their sources.',
  },
  natsUrl: {
    env: 'KEYWAY_NATS_URL',
    schema: z
      .string()
      .regex(/^(nats|tls):\/\//, 'expected nats://…')
      .optional(),
    default: undefined,
    doc: 'Cluster mode: the NATS server that tells every node of each commit (needs PostgreSQL; docs/cluster.md).',
  },
  natsSubject: {
    env: 'KEYWAY_NATS_SUBJECT',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'expected a NATS subject')
      .optional(),
    default: undefined,
    doc: 'NATS subject of the change announcements; defaults to keyway.changes.<database name>.',
  },
  nodeId: {
    env: 'KEYWAY_NODE_ID',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _')
      .optional(),
    default: undefined,
    doc: "This node's name in a cluster (logs, reply topics); a random one when unset.",
  },
  mqttPort: {
    env: 'KEYWAY_MQTT_PORT',
    schema: port,
    default: '8483',
    doc: 'Port of the embedded MQTT broker for units (0 picks a free one).',
  },
  mqttHost: {
    env: 'KEYWAY_MQTT_HOST',
    schema: z.string().min(1),
    default: '127.0.0.1',
    doc: 'Address the embedded MQTT broker listens on.',
  },
  mqttUrl: {
    env: 'KEYWAY_MQTT_URL',
    schema: z
      .string()
      .regex(/^mqtts?:\/\//, 'expected mqtt://…')
      .optional(),
    default: undefined,
    doc: "Connect to this external broker instead of embedding one, as the URL's user (mqtt://user:password@host:1883; with dynsec a dynamic-security admin, deploy/mosquitto/).",
  },
  mqttAccounts: {
    env: 'KEYWAY_MQTT_ACCOUNTS',
    schema: z.enum(['dynsec', 'none']),
    default: 'dynsec',
    doc: "With KEYWAY_MQTT_URL: dynsec keeps each unit's broker client and role in Mosquitto's dynamic-security plugin, as the URL's user (a dynsec admin); none leaves them to you.",
  },
  mqttKeepaliveS: {
    env: 'KEYWAY_MQTT_KEEPALIVE_S',
    schema: z.coerce.number().int().min(1).max(3600),
    default: '30',
    doc: "The server's own MQTT link: keepalive in seconds. A link that goes silent is noticed within 1.5 of these (the node then reports not ready and follows no unit) and by the broker within 1.5 (its last will hands the node's units to the others); a connect waits as long, at least 5 s.",
  },
  mqttPublicUrl: {
    env: 'KEYWAY_MQTT_PUBLIC_URL',
    schema: z
      .string()
      .regex(/^mqtts?:\/\//, 'expected mqtt://…')
      .optional(),
    default: undefined,
    doc: 'Broker URL handed to new units; defaults to the embedded broker (mqtts:// with TLS) or the one the server uses.',
  },
  mqttTlsCert: {
    env: 'KEYWAY_MQTT_TLS_CERT',
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: 'With KEYWAY_MQTT_TLS_KEY: the embedded broker listens mqtts:// on KEYWAY_MQTT_PORT and plain mqtt:// is off. PEM file: the certificate, then its intermediates. SIGHUP re-reads it.',
  },
  mqttTlsKey: {
    env: 'KEYWAY_MQTT_TLS_KEY',
    schema: z.string().min(1).optional(),
    default: undefined,
    doc: "The PEM file of KEYWAY_MQTT_TLS_CERT's private key (unencrypted; readable by the server only).",
  },
  mqttPlainPort: {
    env: 'KEYWAY_MQTT_PLAIN_PORT',
    schema: port.optional(),
    default: undefined,
    doc: 'With the broker on TLS: keep plain mqtt:// open too, on this port of KEYWAY_MQTT_HOST (units not yet moved). Unset: none (the server itself uses a loopback-only one).',
  },
  ...SMS_CONFIG,
  logLevel: {
    env: 'KEYWAY_LOG_LEVEL',
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
    doc: 'Log level.',
  },
  logPretty: {
    env: 'KEYWAY_LOG_PRETTY',
    schema: bool.optional(),
    default: undefined,
    doc: 'Pretty logs; defaults to true when stdout is a terminal.',
  },
  metricsPort: {
    env: 'KEYWAY_METRICS_PORT',
    schema: port.optional(),
    default: undefined,
    doc: 'Serve GET /metrics (Prometheus) on this port of KEYWAY_HOST, without auth: keep it internal.',
  },
  metricsToken: {
    env: 'KEYWAY_METRICS_TOKEN',
    schema: z.string().min(16, 'expected at least 16 characters').optional(),
    default: undefined,
    secret: true,
    doc: 'Serve GET /metrics on the API port to `Authorization: Bearer <this token>`.',
  },
  fenceMs: {
    env: 'KEYWAY_CLUSTER_FENCE_MS',
    schema: z.coerce.number().int().min(1000).max(600_000),
    default: '5000',
    doc: 'Cluster mode: a node whose change log has not answered for this long stops serving (503 node_isolated, sync sockets moved to other nodes) until it answers again.',
  },
  shutdownMs: {
    env: 'KEYWAY_SHUTDOWN_MS',
    schema: z.coerce.number().int().min(0).max(600_000),
    default: '10000',
    doc: 'On SIGTERM: how long opens and requests in flight may finish before the process exits anyway (a second SIGTERM exits at once).',
  },
  bodyLimitBytes: {
    env: 'KEYWAY_BODY_LIMIT',
    schema: z.coerce.number().int().min(1024).max(10_485_760),
    default: '65536',
    doc: 'Largest accepted request body in bytes (413 above).',
  },
  openTimeoutMs: {
    env: 'KEYWAY_OPEN_TIMEOUT_MS',
    schema: z.coerce.number().int().min(200).max(60_000),
    default: '5000',
    doc: "How long an open command lives; the server waits for the unit's ack that long plus 250 ms (unit protocol §4.3).",
  },
  syncHeartbeatMs: {
    env: 'KEYWAY_SYNC_HEARTBEAT_MS',
    schema: z.coerce.number().int().min(100).max(300_000),
    default: '15000',
    doc: 'Heartbeat interval on /v1/sync; a socket silent for two intervals is closed.',
  },
  syncMaxBufferedBytes: {
    env: 'KEYWAY_SYNC_MAX_BUFFERED',
    schema: z.coerce.number().int().min(1024).max(1_073_741_824),
    default: '4194304',
    doc: 'Unsent bytes after which a slow /v1/sync client is closed (it resumes with its cursor).',
  },
  syncRetentionHours: {
    env: 'KEYWAY_SYNC_RETENTION_HOURS',
    schema: z.coerce.number().min(0.001).max(100_000),
    default: '720',
    doc: 'How long the change log keeps changes for resuming clients; older cursors get a snapshot.',
  },
  auditRetentionDays: {
    env: 'KEYWAY_AUDIT_RETENTION_DAYS',
    schema: z.coerce.number().min(1).max(36_500),
    default: '365',
    doc: 'How long the audit trail keeps each admin action (who, when, before and after); older entries are pruned hourly.',
  },
  syncNewEpoch: {
    env: 'KEYWAY_SYNC_NEW_EPOCH',
    schema: bool.optional(),
    default: undefined,
    doc: 'Start a new sync epoch at start (a database restored other than by `npm run restore`, which does it): every client re-snapshots.',
  },
  codeTtlSeconds: {
    env: 'KEYWAY_CODE_TTL',
    schema: z.coerce.number().int().min(30).max(3600),
    default: '300',
    doc: 'Life of an SMS login code in seconds.',
  },
  codeMaxAttempts: {
    env: 'KEYWAY_CODE_MAX_ATTEMPTS',
    schema: z.coerce.number().int().min(1).max(20),
    default: '5',
    doc: 'Wrong tries before a code is burnt.',
  },
  codesPerPhonePerHour: {
    env: 'KEYWAY_CODES_PER_PHONE',
    schema: z.coerce.number().int().min(1).max(1000),
    default: '5',
    doc: 'SMS codes one phone number may request per hour.',
  },
  authRequestsPerIpPerMinute: {
    env: 'KEYWAY_AUTH_PER_IP',
    schema: z.coerce.number().int().min(1).max(1_000_000_000),
    default: '30',
    doc: 'Login requests (code + verify) one client address may make per minute.',
  },
  apiKeyRequestsPerMinute: {
    env: 'KEYWAY_API_KEY_PER_MINUTE',
    schema: z.coerce.number().int().min(1).max(1_000_000_000),
    default: '600',
    doc: 'Requests one API key may make per minute, counted across all nodes (429 with Retry-After beyond).',
  },
} as const;

type Table = typeof CONFIG_TABLE;
export type Config = { [K in keyof Table]: z.output<Table[K]['schema']> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** Reads the table from an environment; throws ConfigError listing every bad value by name. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Config> = {},
): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(CONFIG_TABLE)) {
    if (key in overrides) {
      out[key] = overrides[key as keyof Config];
      continue;
    }
    const raw =
      env[entry.env] === '' ? undefined : (env[entry.env] ?? entry.default);
    const parsed = (entry.schema as z.ZodType).safeParse(raw);
    if (parsed.success) out[key] = parsed.data;
    else
      problems.push(
        `${entry.env}=${isSecret(entry) ? '(secret, not shown)' : JSON.stringify(raw)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
  }
  if (!problems.length) problems.push(...smsProblems(out), ...tlsProblems(out));
  if (problems.length) throw new ConfigError(problems);
  return out as Config;
}

/** Settings that only make sense together, or not together. */
function tlsProblems(c: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const pair = (
    cert: 'tlsCert' | 'mqttTlsCert',
    key: 'tlsKey' | 'mqttTlsKey',
  ) => {
    const [a, b] = [CONFIG_TABLE[cert].env, CONFIG_TABLE[key].env];
    if ((c[cert] === undefined) !== (c[key] === undefined))
      problems.push(
        `${c[cert] === undefined ? a : b} is missing: ${a} and ${b} go together`,
      );
  };
  pair('tlsCert', 'tlsKey');
  pair('mqttTlsCert', 'mqttTlsKey');
  const mqttTls = c.mqttTlsCert !== undefined;
  if (mqttTls && c.mqttUrl !== undefined)
    problems.push(
      'KEYWAY_MQTT_TLS_CERT is for the embedded broker; with KEYWAY_MQTT_URL your broker does TLS (give it an mqtts:// URL)',
    );
  if (c.mqttPlainPort !== undefined && !mqttTls)
    problems.push(
      'KEYWAY_MQTT_PLAIN_PORT keeps plain mqtt:// beside TLS; without KEYWAY_MQTT_TLS_CERT the broker is plain on KEYWAY_MQTT_PORT already',
    );
  if (
    mqttTls &&
    c.mqttPlainPort !== undefined &&
    c.mqttPlainPort !== 0 &&
    c.mqttPlainPort === c.mqttPort
  )
    problems.push('KEYWAY_MQTT_PLAIN_PORT must differ from KEYWAY_MQTT_PORT');
  if (
    mqttTls &&
    c.mqttPlainPort === undefined &&
    typeof c.mqttPublicUrl === 'string' &&
    c.mqttPublicUrl.startsWith('mqtt://')
  )
    problems.push(
      `KEYWAY_MQTT_PUBLIC_URL=${c.mqttPublicUrl}: plain mqtt:// is off with KEYWAY_MQTT_TLS_CERT; hand units mqtts:// (or keep a plain port with KEYWAY_MQTT_PLAIN_PORT)`,
    );
  return problems;
}

/** Entries marked `secret: true` are masked wherever settings are printed. */
export const isSecret = (entry: object) =>
  (entry as { secret?: boolean }).secret === true;

export function configHelp(): string {
  const rows = Object.values(CONFIG_TABLE).map(
    (e) => `  ${e.env.padEnd(26)} ${(e.default ?? '').padEnd(10)} ${e.doc}`,
  );
  return `Environment variables (name, default, meaning):\n${rows.join('\n')}\n`;
}

/** KEYWAY_* names the server does not read itself: the unit agent's and the tests'. */
const OTHERS = /^KEYWAY_(UNIT_|TEST_|SYNC_SEED$|CHROMIUM$|BENCH_)/;

/** KEYWAY_* variables in `env` that are no setting: a typo would otherwise be silently ignored. */
export function unknownVariables(
  env: Record<string, string | undefined> = process.env,
): string[] {
  const known = new Set<string>(Object.values(CONFIG_TABLE).map((e) => e.env));
  return Object.keys(env)
    .filter((k) => k.startsWith('KEYWAY_') && !known.has(k) && !OTHERS.test(k))
    .sort();
}

/** The effective settings, one `NAME=value` per line; secrets and URL passwords masked. */
export function printConfig(config: Config): string {
  const lines = Object.entries(CONFIG_TABLE).map(([key, e]) => {
    const v = config[key as keyof Config];
    let shown =
      v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v);
    if (isSecret(e) && shown) shown = '********';
    else shown = shown.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/, '$1:********@');
    return `${e.env}=${shown}`;
  });
  return `${lines.join('\n')}\n`;
}
