import { spawn } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import pg from 'pg';
import { PG_APPLICATION_NAME } from '../db/connect';
import {
  checkDirectory,
  OpsError,
  putInPlace,
  removeQuietly,
  tempBeside,
} from './files';
import {
  checkKeywayTables,
  checkMigrations,
  newEpochStatement,
} from './keyway-db';

/**
 * How the Debian tools are told where the database is: the URL without its password (which
 * goes in PGPASSWORD, so no process list or log line shows it), in libpq's spelling.
 */
interface Target {
  url: string;
  /** The URL for libpq (`--dbname`), password removed. */
  uri: string;
  password: string | undefined;
}

export function pgTarget(url: string): Target {
  const u = new URL(url);
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = '';
  // node-postgres's `ssl=true` is libpq's `sslmode=require`; libpq refuses the former.
  const ssl = u.searchParams.get('ssl');
  if (ssl !== null) {
    u.searchParams.delete('ssl');
    if (!u.searchParams.has('sslmode') && (ssl === 'true' || ssl === '1'))
      u.searchParams.set('sslmode', 'require');
  }
  return { url, uri: u.toString(), password };
}

function toolEnv(t: Target, app: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: app };
  if (t.password !== undefined) env.PGPASSWORD = t.password;
  return env;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The Debian tool of the server's major version when installed (`/usr/lib/postgresql/N/bin`),
 * else the one on PATH; refused when older than the server (pg_dump cannot dump a newer one).
 */
async function pgTool(
  name: 'pg_dump' | 'pg_restore' | 'psql',
  serverMajor: number,
): Promise<string> {
  const debian = `/usr/lib/postgresql/${serverMajor}/bin/${name}`;
  const cmd = existsSync(debian) ? debian : name;
  let version: Ran;
  try {
    version = await run(cmd, ['--version']);
  } catch {
    throw new OpsError(
      `${name} was not found: install the PostgreSQL ${serverMajor} client (Debian: apt install postgresql-client-${serverMajor}).`,
    );
  }
  const major = Number(/\(PostgreSQL\) (\d+)/.exec(version.stdout)?.[1]);
  if (!major || major < serverMajor)
    throw new OpsError(
      `${cmd} is ${version.stdout.trim() || 'of an unknown version'}, older than the PostgreSQL ${serverMajor} server: install postgresql-client-${serverMajor}.`,
    );
  return cmd;
}

async function connect(t: Target, app: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: t.url,
    application_name: app,
    connectionTimeoutMillis: 10_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    throw new OpsError(
      `Could not connect to ${t.uri}: ${(err as Error).message}`,
    );
  }
  return client;
}

async function serverMajor(client: pg.Client): Promise<number> {
  const r = await client.query<{ v: string }>(
    'SELECT current_setting($1) AS v',
    ['server_version_num'],
  );
  return Math.floor(Number(r.rows[0]!.v) / 10_000);
}

/** `schema.table` of every user table of the database. */
async function liveTables(client: pg.Client): Promise<string[]> {
  const r = await client.query<{ t: string }>(
    `SELECT schemaname || '.' || tablename AS t FROM pg_tables
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  return r.rows.map((row) => row.t);
}

const tableName = (qualified: string) =>
  qualified.slice(qualified.indexOf('.') + 1);

/**
 * `npm run backup` on PostgreSQL: `pg_dump -Fc`, one consistent snapshot of the database (a
 * repeatable-read transaction), safe while the nodes serve and write. Written beside `out`,
 * checked readable by `pg_restore --list`, then renamed over `out`.
 */
export async function backupPostgres(
  url: string,
  out: string,
  say: (line: string) => void,
): Promise<void> {
  checkDirectory(out);
  const t = pgTarget(url);
  const client = await connect(t, 'keyway-backup');
  let major: number;
  try {
    major = await serverMajor(client);
    const tables = (await liveTables(client)).map(tableName);
    if (!tables.includes('sync_meta'))
      throw new OpsError(
        `${t.uri} has no Keyway tables (has the server ever started on it?): nothing to back up.`,
      );
  } finally {
    await client.end().catch(() => {});
  }
  const pgDump = await pgTool('pg_dump', major);
  const pgRestore = await pgTool('pg_restore', major);
  const tmp = tempBeside(out);
  const started = performance.now();
  try {
    const dump = await run(
      pgDump,
      [
        '--format=custom',
        '--no-password',
        `--file=${tmp}`,
        `--dbname=${t.uri}`,
      ],
      toolEnv(t, 'keyway-backup'),
    );
    if (dump.code !== 0)
      throw new OpsError(`pg_dump failed: ${dump.stderr.trim()}`);
    await readToc(pgRestore, tmp, out);
    chmodSync(tmp, 0o600);
    putInPlace(tmp, out);
    say(
      `Backed up ${t.uri} to ${out} (pg_dump custom format, ${statSync(out).size} bytes, ${Math.round(performance.now() - started)} ms).`,
    );
  } finally {
    removeQuietly(tmp);
  }
}

/** The tables of an archive (`schema.table`), from its table of contents. */
async function readToc(
  pgRestore: string,
  file: string,
  shownAs = file,
): Promise<Set<string>> {
  const list = await run(pgRestore, ['--list', file]);
  if (list.code !== 0)
    throw new OpsError(
      `${shownAs} is damaged or not a pg_dump archive (${list.stderr.trim()}). Nothing was changed.`,
    );
  const tables = new Set<string>();
  for (const line of list.stdout.split('\n')) {
    const m = /^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) /.exec(line);
    if (m) tables.add(`${m[1]}.${m[2]}`);
  }
  return tables;
}

/** The names in the archive's kysely_migration table (the schema version it was taken at). */
async function archivedMigrations(
  pgRestore: string,
  file: string,
): Promise<string[]> {
  const data = await run(pgRestore, [
    '--data-only',
    '--table=kysely_migration',
    '--file=-',
    file,
  ]);
  if (data.code !== 0)
    throw new OpsError(
      `${file} is damaged (${data.stderr.trim()}). Nothing was changed.`,
    );
  const lines = data.stdout.split('\n');
  const start = lines.findIndex((l) =>
    /^COPY \S*kysely_migration \(.*\) FROM stdin;$/.test(l),
  );
  if (start < 0) return [];
  const columns = /\((.*)\)/
    .exec(lines[start]!)![1]!
    .split(',')
    .map((c) => c.trim().replace(/^"|"$/g, ''));
  const at = columns.indexOf('name');
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break;
    names.push(line.split('\t')[at] ?? '');
  }
  return names;
}

/**
 * Other sessions on the database: a node still running (Keyway's connections are named
 * `keyway`), a backup, a psql. Idle pool connections close after 10 s, so an idle node may
 * have none: the procedure is still to stop every node first (docs/deploy.md).
 */
async function otherSessions(client: pg.Client): Promise<string[]> {
  const r = await client.query<{ app: string; addr: string; n: number }>(
    `SELECT coalesce(nullif(application_name, ''), 'unnamed') AS app,
            coalesce(host(client_addr), 'local socket') AS addr, count(*)::int AS n
     FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()
       AND backend_type = 'client backend'
     GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return r.rows.map(
    (row) =>
      `${row.n} connection${row.n === 1 ? '' : 's'} of ${row.app === PG_APPLICATION_NAME ? 'a Keyway node (keyway)' : row.app} from ${row.addr}`,
  );
}

/**
 * `npm run restore` on PostgreSQL, with every node stopped. The archive is checked first (a
 * Keyway backup, readable to its end, not from a newer Keyway), then the database (nobody
 * else connected, no tables the backup lacks). Then one transaction: `pg_restore --clean
 * --if-exists` (each table of the backup dropped and recreated with its rows), then the new
 * sync epoch, then COMMIT — sent only once pg_restore has produced the whole script. A failure
 * anywhere rolls all of it back: the database is the old one or the whole restored one.
 */
export async function restorePostgres(
  url: string,
  file: string,
  opts: { force: boolean },
  say: (line: string) => void,
): Promise<{ epoch: string }> {
  const t = pgTarget(url);
  const client = await connect(t, 'keyway-restore');
  let pgRestore: string;
  let psql: string;
  try {
    const major = await serverMajor(client);
    pgRestore = await pgTool('pg_restore', major);
    psql = await pgTool('psql', major);
    const archived = await readToc(pgRestore, file);
    checkKeywayTables(file, [...archived].map(tableName), 'a pg_dump archive');
    checkMigrations(
      file,
      'postgres',
      await archivedMigrations(pgRestore, file),
    );
    const whole = await run(pgRestore, ['--file=/dev/null', file]);
    if (whole.code !== 0)
      throw new OpsError(
        `${file} is damaged (${whole.stderr.trim()}). Nothing was changed.`,
      );
    if (!opts.force) {
      const others = await otherSessions(client);
      if (others.length)
        throw new OpsError(
          `${t.uri} is in use: ${others.join('; ')}. Stop every Keyway node (and other clients of this database), then restore; --force restores anyway (a node still running stops itself once it notices the new sync epoch). Nothing was changed.`,
        );
    }
    const extra = (await liveTables(client)).filter((x) => !archived.has(x));
    if (extra.length)
      throw new OpsError(
        `${t.uri} has tables the backup does not (${extra.join(', ')}), which a restore would leave behind — a backup from an older Keyway? Restore into a new, empty database (createdb, then point KEYWAY_DATABASE_URL at it; the server migrates it forward), or drop those tables first. Nothing was changed.`,
      );
  } finally {
    await client.end().catch(() => {});
  }
  const { epoch, sql } = newEpochStatement();
  await restoreInOneTransaction(pgRestore, psql, file, t, sql);
  const check = await connect(t, 'keyway-restore');
  try {
    const r = await check.query<{ epoch: string }>(
      'SELECT epoch FROM sync_meta WHERE id = 1',
    );
    if (r.rows[0]?.epoch !== epoch)
      throw new OpsError(
        `The restore committed but the sync epoch reads ${r.rows[0]?.epoch ?? 'nothing'}, not ${epoch}: start the server once with KEYWAY_SYNC_NEW_EPOCH=true.`,
      );
  } finally {
    await check.end().catch(() => {});
  }
  say(
    `Restored ${file} into ${t.uri} (PostgreSQL, one transaction). New sync epoch ${epoch}: every phone, dashboard and unit will get a snapshot of the restored state.`,
  );
  return { epoch };
}

/**
 * pg_restore writes the script; psql runs it inside BEGIN … COMMIT with ON_ERROR_STOP. COMMIT
 * (after the new epoch) is written only when pg_restore exited 0; if it fails, psql is killed
 * mid-transaction and PostgreSQL rolls everything back.
 */
function restoreInOneTransaction(
  pgRestore: string,
  psql: string,
  file: string,
  t: Target,
  epochSql: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const env = toolEnv(t, 'keyway-restore');
    const sql = spawn(
      psql,
      [
        '--no-psqlrc',
        '--quiet',
        '--no-password',
        '--set=ON_ERROR_STOP=1',
        `--dbname=${t.uri}`,
        '--file=-',
      ],
      { env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const dump = spawn(
      pgRestore,
      ['--clean', '--if-exists', '--file=-', file],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let sqlErr = '';
    let dumpErr = '';
    let dumpCode: number | null | undefined;
    sql.stdout.resume();
    sql.stderr.on('data', (d) => {
      sqlErr += d;
    });
    dump.stderr.on('data', (d) => {
      dumpErr += d;
    });
    // psql stops at the first error (ON_ERROR_STOP): what is still being written has nowhere to go.
    sql.stdin.on('error', () => {});
    sql.stdin.write('BEGIN;\n');
    dump.stdout.pipe(sql.stdin, { end: false });
    const failed = (err: Error) => {
      dump.kill('SIGKILL');
      sql.kill('SIGKILL');
      reject(err);
    };
    dump.once('error', failed);
    sql.once('error', failed);
    dump.once('close', (code) => {
      dumpCode = code;
      if (code === 0)
        sql.stdin.end(`\nRESET search_path;\n${epochSql};\nCOMMIT;\n`);
      else sql.kill('SIGKILL');
    });
    sql.once('close', (code) => {
      if (dumpCode === undefined) dump.kill('SIGKILL');
      if (code === 0 && dumpCode === 0) return resolve();
      const why = dumpCode
        ? `pg_restore failed: ${dumpErr.trim()}`
        : `psql failed: ${(sqlErr || dumpErr).trim()}`;
      reject(
        new OpsError(
          `The restore failed and was rolled back (the database is as it was before): ${why}`,
        ),
      );
    });
  });
}
