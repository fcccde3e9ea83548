import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_TABLE, ConfigError } from '../config';
import { backupKind, OpsError } from './files';
import { backupPostgres, restorePostgres } from './postgres';
import { backupSqlite, restoreSqlite } from './sqlite';

/**
 * `npm run backup -- --out FILE` and `npm run restore -- FILE`: the server's database (the
 * same settings as the server: KEYWAY_DATABASE_URL, else SQLite under KEYWAY_DATA_DIR, and a
 * `.env` in the current folder) to one file and back. docs/deploy.md, "Backups".
 */
const USAGE = `Usage:
  npm run backup -- --out FILE        copy the database to FILE; safe while the server runs
  npm run restore -- FILE [--force]   replace the database with FILE; stop the server first

The database is the server's: PostgreSQL when KEYWAY_DATABASE_URL is set (pg_dump -Fc /
pg_restore, the Debian PostgreSQL client of the server's version), else SQLite under
KEYWAY_DATA_DIR (its online backup API). A .env file in the current folder is read first.
A restore starts a new sync epoch: every phone, dashboard and unit then takes a snapshot.
--force (PostgreSQL) restores even while other sessions are connected to the database.
`;

class UsageError extends Error {}

type Command =
  | { kind: 'backup'; out: string }
  | { kind: 'restore'; file: string; force: boolean };

function parse(argv: string[]): Command {
  const [cmd, ...rest] = argv;
  if (cmd === 'backup') {
    let out: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === '--out' || a === '-o') {
        out = rest[++i];
        if (!out || out.startsWith('-'))
          throw new UsageError('backup: --out needs a file name.');
      } else if (a.startsWith('--out=')) out = a.slice('--out='.length);
      else throw new UsageError(`backup: unknown argument ${a}.`);
    }
    if (!out) throw new UsageError('backup: --out FILE is required.');
    return { kind: 'backup', out: resolve(out) };
  }
  if (cmd === 'restore') {
    let file: string | undefined;
    let force = false;
    for (const a of rest) {
      if (a === '--force') force = true;
      else if (a.startsWith('-'))
        throw new UsageError(`restore: unknown option ${a}.`);
      else if (file) throw new UsageError('restore: one FILE only.');
      else file = a;
    }
    if (!file) throw new UsageError('restore: which backup FILE?');
    return { kind: 'restore', file: resolve(file), force };
  }
  throw new UsageError(
    cmd ? `Unknown command ${cmd}.` : 'Say backup or restore.',
  );
}

/** Just the storage settings, as the server reads them: a wrong SMS setting must not stop a backup. */
function storageSettings(env = process.env): {
  dataDir: string;
  databaseUrl: string | undefined;
} {
  const problems: string[] = [];
  const read = (key: 'dataDir' | 'databaseUrl') => {
    const e = CONFIG_TABLE[key];
    const raw = env[e.env] === '' ? undefined : (env[e.env] ?? e.default);
    const parsed = e.schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const shown = String(raw).replace(
      /^([a-z]+:\/\/[^:/@]*):[^@/]*@/,
      '$1:********@',
    );
    problems.push(
      `${e.env}=${JSON.stringify(shown)}: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
    return undefined;
  };
  const dataDir = read('dataDir');
  const databaseUrl = read('databaseUrl');
  if (problems.length || !dataDir) throw new ConfigError(problems);
  return { dataDir, databaseUrl };
}

export async function main(argv: string[]): Promise<number> {
  // `| head` closing the pipe must not turn a finished restore into a crash.
  process.stdout.on('error', () => {});
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const fail = (line: string) => process.stderr.write(`${line}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    say(USAGE);
    return 0;
  }
  let command: Command;
  try {
    command = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    fail(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  let settings: ReturnType<typeof storageSettings>;
  try {
    settings = storageSettings();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    fail(err.message);
    return 2;
  }
  const { dataDir, databaseUrl } = settings;
  try {
    if (command.kind === 'backup') {
      if (databaseUrl) await backupPostgres(databaseUrl, command.out, say);
      else await backupSqlite(dataDir, command.out, say);
      return 0;
    }
    const kind = backupKind(command.file);
    if (databaseUrl && kind === 'sqlite')
      throw new OpsError(
        `${command.file} is a SQLite backup, but this Keyway uses PostgreSQL (KEYWAY_DATABASE_URL is set). Restore it with KEYWAY_DATABASE_URL unset (into KEYWAY_DATA_DIR), or restore a backup taken on PostgreSQL; Keyway does not convert one into the other. Nothing was changed.`,
      );
    if (!databaseUrl && kind === 'postgres')
      throw new OpsError(
        `${command.file} is a PostgreSQL backup (pg_dump), but this Keyway uses SQLite (KEYWAY_DATABASE_URL is not set). Set KEYWAY_DATABASE_URL to restore it into PostgreSQL, or restore a backup taken on SQLite; Keyway does not convert one into the other. Nothing was changed.`,
      );
    if (databaseUrl)
      await restorePostgres(
        databaseUrl,
        command.file,
        { force: command.force },
        say,
      );
    else {
      if (command.force)
        say(
          '--force is ignored on SQLite: replacing the file under a running server would corrupt it.',
        );
      restoreSqlite(dataDir, command.file, say);
    }
    say(
      'Start the server (every node) again. Phones and dashboards logged in after the backup must log in again; anything changed after it is gone.',
    );
    return 0;
  } catch (err) {
    // An OpsError says what to do; anything else (a full disk, a permission) by its own message.
    fail(
      `${command.kind} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
