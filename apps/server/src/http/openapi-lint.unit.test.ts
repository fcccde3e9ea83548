import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { routes } from '../routes';
import { buildOpenApi } from './openapi';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const REDOCLY = join(ROOT, 'node_modules/@redocly/cli/bin/cli.js');

type Problem = { ruleId: string; severity: string; message: string };

/** `redocly lint` with the repository's redocly.yaml; its problems. */
async function lint(doc: unknown): Promise<Problem[]> {
  const file = join(dir, 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const run = await promisify(execFile)(
    process.execPath,
    [
      REDOCLY,
      'lint',
      file,
      '--config',
      join(ROOT, 'redocly.yaml'),
      '--format=json',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: 'off',
        REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      },
    },
  ).catch((e: { stdout: string }) => e); // exit 1 when it found errors: read its report all the same
  return (JSON.parse(run.stdout) as { problems: Problem[] }).problems;
}
const dir = mkdtempSync(join(tmpdir(), 'keyway-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the OpenAPI document under a standard linter (redocly lint, redocly.yaml)', () => {
  // Read as a client reads it: plain JSON.
  const doc = JSON.parse(JSON.stringify(buildOpenApi(routes)));

  it('has no problem at all', async () => {
    const problems = await lint(doc);
    expect(
      problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`),
    ).toEqual([]);
  });

  it('would fail on a route without a summary or a tag without a description (the linter runs with our rules)', async () => {
    const broken = structuredClone(doc);
    delete broken.paths['/v1/me'].get.summary;
    delete broken.tags[0].description;
    const rules = (await lint(broken)).map((p) => p.ruleId);
    expect(rules).toEqual(
      expect.arrayContaining(['operation-summary', 'tag-description']),
    );
  });
});
