import { existsSync } from 'node:fs';
import {
  ConfigError,
  configHelp,
  loadConfig,
  printConfig,
  unknownVariables,
} from './config';
import { startServer } from './server';
import { startTracing } from './tracing';
import { buildWebApps } from './web-build';

/** `npm run serve`: the server alone, configured only by the environment, no demo data. */
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    `Usage: npm run serve [-- --print-config]\n\nThe Keyway server: HTTP API, unit broker, storage.\nA .env file in the current folder is read first (the environment wins).\n\n${configHelp()}`,
  );
  process.exit(0);
}

// A `.env` beside the start command; variables already set win (Node's own parser).
if (existsSync('.env')) process.loadEnvFile('.env');
for (const name of unknownVariables())
  process.stderr.write(
    `warning: ${name} is not a Keyway setting (a typo?); run with --help to see them all\n`,
  );

try {
  const config = loadConfig();
  if (process.argv.includes('--print-config')) {
    process.stdout.write(printConfig(config));
    process.exit(0);
  }
  if (config.webBuild)
    buildWebApps((line) => process.stdout.write(`${line}\n`));
  const stopTracing = startTracing();
  const server = await startServer(config);
  const stop = async () => {
    await server.stop();
    await stopTracing?.();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(
      `${err.message}\n\nRun with --help to see every setting.\n`,
    );
    process.exit(2);
  }
  throw err;
}
