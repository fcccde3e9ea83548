import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate made for a test: its files, and the PEM contents. */
export interface TestCert {
  cert: string;
  key: string;
  certPem: Buffer;
  keyPem: Buffer;
}

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * A private CA and certificates it signs, made at run time with Debian's `openssl` in a temp
 * folder — the same commands docs/deploy.md gives an operator (P-256 keys).
 */
export class TestPki {
  readonly dir: string;
  readonly ca: TestCert;

  constructor(name = 'Keyway Test CA') {
    this.dir = mkdtempSync(join(tmpdir(), 'keyway-pki-'));
    const d = join(this.dir, 'ca');
    mkdirSync(d);
    openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '30',
        '-subj',
        `/CN=${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      d,
    );
    this.ca = files(d, 'ca');
  }

  /** A server certificate for these names (`IP:127.0.0.1`, `DNS:localhost`), signed by this CA. */
  issue(name: string, altNames: string[], days = 30): TestCert {
    const d = join(this.dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(
      join(d, 'ext.cnf'),
      [
        `subjectAltName=${altNames.join(',')}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    );
    openssl(
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'server.key',
        '-out',
        'server.csr',
        '-subj',
        `/CN=${name}`,
      ],
      d,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        this.ca.cert,
        '-CAkey',
        this.ca.key,
        '-days',
        String(days),
        '-extfile',
        'ext.cnf',
        '-out',
        'server.crt',
      ],
      d,
    );
    return files(d, 'server');
  }
}

function files(dir: string, base: string): TestCert {
  const cert = join(dir, `${base}.crt`);
  const key = join(dir, `${base}.key`);
  return {
    cert,
    key,
    certPem: readFileSync(cert),
    keyPem: readFileSync(key),
  };
}
