import { defineConfig } from 'vitest/config';

// The server suite runs twice: against SQLite (default) and against PostgreSQL
// (KEYWAY_TEST_DATABASE_URL; CI starts PostgreSQL, see .ci/run).
const pgUrl =
  process.env.KEYWAY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'protocol',
          include: ['packages/protocol/src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'rules', include: ['packages/rules/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'unit', include: ['apps/unit/src/**/*.test.ts'] },
      },
      {
        // The conformance kit against the reference unit, a broken one and examples/python-unit.
        extends: true,
        test: {
          name: 'conformance',
          include: ['apps/conformance/src/**/*.test.ts'],
          // Each test is a whole kit run (5-15 s alone) with unit processes; room for a loaded CI.
          testTimeout: 90_000,
        },
      },
      {
        // The SDK: its committed types against the server's OpenAPI, and its quickstart against a real server and unit.
        extends: true,
        test: {
          name: 'sdk',
          include: ['packages/sdk/**/*.test.ts'],
          env: { KEYWAY_TEST_DB: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'server',
          include: ['apps/server/src/**/*.unit.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'server-sqlite',
          include: ['apps/server/src/**/*.test.ts'],
          exclude: [
            'apps/server/src/**/*.unit.test.ts',
            'apps/server/src/**/*.pg.test.ts',
          ],
          env: { KEYWAY_TEST_DB: 'sqlite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'server-pg',
          include: ['apps/server/src/**/*.test.ts'],
          exclude: [
            'apps/server/src/**/*.sqlite.test.ts',
            'apps/server/src/**/*.unit.test.ts',
            // Against a real Mosquitto, once (those that need PostgreSQL create their own).
            'apps/server/src/**/*.mosquitto.test.ts',
          ],
          env: { KEYWAY_TEST_DB: 'postgres', KEYWAY_TEST_PG_URL: pgUrl },
        },
      },
      {
        // The phone app in Debian's Chromium against a real server and unit (apps/web/src/test).
        extends: true,
        test: {
          name: 'web-browser',
          include: ['apps/web/src/**/*.browser.test.ts'],
          exclude: ['apps/web/src/admin/**'],
          globalSetup: ['apps/web/src/test/global-setup.ts'],
          env: { KEYWAY_TEST_DB: 'sqlite' },
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
      {
        // The dashboard (apps/web/src/admin) in Debian's Chromium against a real server and unit.
        extends: true,
        test: {
          name: 'web-admin-browser',
          include: ['apps/web/src/admin/**/*.test.ts'],
          globalSetup: ['apps/web/src/admin/test/global-setup.ts'],
          env: { KEYWAY_TEST_DB: 'sqlite' },
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
