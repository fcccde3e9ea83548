import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../lib/procs';
import { seed } from './seed';
import { sleep } from './worker';

const n = Number(process.argv[2] ?? 9000);
const dir = mkdtempSync(join(tmpdir(), 'kwprof-'));
const s = await seed(dir, {
  members: n,
  fanLevels: [Math.min(1000, n), n],
  units: 10,
});
const port = await freePort();
const profDir = process.argv[3] ?? '/tmp/kwprof';
const child = spawn(
  process.execPath,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${profDir}`,
    '--import',
    'tsx',
    'apps/server/src/main.ts',
  ],
  {
    env: {
      ...process.env,
      KEYWAY_PORT: String(port),
      KEYWAY_MQTT_PORT: String(await freePort()),
      KEYWAY_DATA_DIR: dir,
      KEYWAY_LOG_LEVEL: 'warn',
    },
    stdio: 'inherit',
  },
);
const url = `http://127.0.0.1:${port}`;
const t0 = Date.now();
for (let k = 0; k < 600; k++) {
  if (
    await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await sleep(100);
}
console.log('up', Date.now() - t0);
const times: number[] = [];
for (let k = 0; k < 20; k++) {
  const t = performance.now();
  const r = await fetch(`${url}/v1/members/${s.members[k]!.id}`, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${s.owner}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ name: `p${k}` }),
  });
  await r.text();
  times.push(Math.round(performance.now() - t));
}
console.log('patch ms', times.join(' '));
child.kill('SIGINT');
await new Promise((r) => child.once('exit', r));
