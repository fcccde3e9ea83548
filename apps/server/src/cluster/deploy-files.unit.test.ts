import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../unit/src/config';
import { loadConfig, unknownVariables } from '../config';

// The production files in deploy/ are what an operator copies: they must be valid for the
// tools that read them, and name only settings Keyway has.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'keyway-deploy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('deploy/', () => {
  it('haproxy/haproxy.cfg passes haproxy -c with a real certificate', () => {
    const pem = join(tmp, 'keyway.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=doors.example.com',
        '-keyout',
        join(tmp, 'key.pem'),
        '-out',
        join(tmp, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(
      pem,
      read_(join(tmp, 'cert.pem')) + read_(join(tmp, 'key.pem')),
    );
    const cfg = read('deploy/haproxy/haproxy.cfg')
      .replaceAll('/etc/haproxy/keyway.pem', pem)
      .replace('log /dev/log local0', '');
    const file = join(tmp, 'haproxy.cfg');
    writeFileSync(file, cfg);
    const r = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/Configuration file is valid/);
    expect(r.status).toBe(0);
    // the checks and cut-offs the failover relies on
    expect(cfg).toMatch(/option httpchk GET \/readyz/);
    expect(cfg).toMatch(/on-marked-down shutdown-sessions/);
    expect(cfg).toMatch(/option forwardfor/);
  });

  it('systemd units pass systemd-analyze verify', () => {
    for (const unit of ['keyway-node.service', 'keyway-unit.service']) {
      const file = join(tmp, unit);
      // verify wants the binary and the user to exist; point them at what this machine has
      writeFileSync(
        file,
        read(`deploy/systemd/${unit}`)
          .replace(/^User=keyway$/m, 'User=root')
          .replace(/^Group=keyway$/m, 'Group=root')
          .replace(
            /^ExecStart=\/usr\/bin\/npm /m,
            `ExecStart=${process.execPath} `,
          )
          .replace(/^EnvironmentFile=.*$/m, ''),
      );
      const r = spawnSync('systemd-analyze', ['verify', file], {
        encoding: 'utf8',
      });
      const problems = (r.stderr + r.stdout)
        .split('\n')
        .filter((l) => l.includes(unit));
      expect(problems).toEqual([]);
    }
  });

  it('the example environments are valid configurations of the node and the unit agent', () => {
    const env = (p: string) =>
      Object.fromEntries(
        read(p)
          .split('\n')
          .filter((l) => /^KEYWAY_\w+=/.test(l))
          .map((l) => [
            l.slice(0, l.indexOf('=')),
            l.slice(l.indexOf('=') + 1),
          ]),
      );
    const node = env('deploy/systemd/keyway-node.env.example');
    expect(unknownVariables(node)).toEqual([]);
    expect(() => loadConfig(node)).not.toThrow();
    const unit = parseConfig([], env('deploy/systemd/keyway-unit.env.example'));
    expect(unit.kind === 'error' ? unit.problems : []).toEqual([]);
    expect(unit.kind).toBe('config');
  });
});

const read_ = (p: string) => readFileSync(p, 'utf8');
