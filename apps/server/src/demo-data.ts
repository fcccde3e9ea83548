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

/** The simulated unit of the demo (apps/unit, sim driver), as its own process. */
export function startUnit(
  credentials: { username: string; password: string; mqttUrl: string },
  stateDir: string,
  stdio: 'inherit' | 'ignore' = 'inherit',
): ChildProcess {
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
  ];
  args.push(
    '--password',
    credentials.password,
    '--driver',
    'sim',
    '--lat',
    '41.3874',
    '--lon',
    '2.1686',
  );
  args.push(
    '--state-file',
    join(stateDir, `unit-${credentials.username}.json`),
  );
  // Run from the repository root so `--import tsx` resolves whatever the caller's folder.
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  return spawn(process.execPath, args, { stdio, cwd: root });
}
