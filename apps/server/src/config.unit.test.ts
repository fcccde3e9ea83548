import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_TABLE, ConfigError, configHelp, loadConfig } from './config';

describe('config table', () => {
  it('has defaults that validate, and --help lists every variable', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8480);
    expect(c.mqttPort).toBe(8483);
    for (const e of Object.values(CONFIG_TABLE))
      expect(configHelp()).toContain(e.env);
  });

  it('names every bad value at once', () => {
    let err: unknown;
    try {
      loadConfig({
        KEYWAY_PORT: 'abc',
        KEYWAY_LOG_LEVEL: 'loud',
        KEYWAY_DATABASE_URL: 'mysql://x',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/KEYWAY_PORT/);
    expect(problems).toMatch(/KEYWAY_LOG_LEVEL/);
    expect(problems).toMatch(/KEYWAY_DATABASE_URL/);
  });

  it('is the table the README documents', () => {
    const readme = readFileSync(
      new URL('../../../README.md', import.meta.url),
      'utf8',
    );
    for (const e of Object.values(CONFIG_TABLE))
      expect(readme, e.env).toMatch(new RegExp(`\\|\\s*\`${e.env}\`\\s*\\|`));
  });
});
