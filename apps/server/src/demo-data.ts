import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The demo building of `npm start` and `npm run cluster`: its name and its people's phones. */
export const DEMO = {
  space: 'Demo building',
  admin: { phone: '+34600000001', name: 'Alba (admin)' },
  basic: { phone: '+34600000002', name: 'Marta (24/7)' },
  evening: { phone: '+34600000003', name: 'Jordi (evenings)' },
};

/**
 * How the demo starts its simulated unit (apps/unit, sim driver): the password goes by environment,
 * never on the command line, where `ps` would show it to every user of the machine.
 */
export function unitCommand(
  credentials: { username: string; password: string; mqttUrl: string },
  stateDir: string,
  opts: { pretty?: boolean } = {},
): { args: string[]; env: NodeJS.ProcessEnv } {
  const main = fileURLToPath(
    new URL('../../unit/src/main.ts', import.meta.url),
  );
  const args = [
    '--import',
    'tsx',
    main,
    '--url',
    credentials.mqttUrl,
    '--username',
    credentials.username,
    '--driver',
    'sim',
    '--lat',
    '41.3874',
    '--lon',
    '2.1686',
    '--state-file',
    join(stateDir, `unit-${credentials.username}.json`),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KEYWAY_UNIT_PASSWORD: credentials.password,
  };
  // Its log lines then read like the server's beside them in the demo's console.
  if (opts.pretty) env.KEYWAY_UNIT_LOG_PRETTY = 'true';
  return { args, env };
}

/** The simulated unit of the demo, as its own process. */
export function startUnit(
  credentials: { username: string; password: string; mqttUrl: string },
  stateDir: string,
  stdio: 'inherit' | 'ignore' = 'inherit',
): ChildProcess {
  const { args, env } = unitCommand(credentials, stateDir, {
    pretty: stdio === 'inherit',
  });
  // Run from the repository root so `--import tsx` resolves whatever the caller's folder.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return spawn(process.execPath, args, { stdio, cwd: root, env });
}
