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

/** EX_TEMPFAIL: the database changed under this node (a restore); start it again. */
const EXIT_RESTART = 75;

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
  const server = await startServer(config, {
    // The database was restored under this node: it has drained; exit so that the supervisor
    // (systemd Restart=, Docker restart:) starts it on the restored state (docs/deploy.md).
    onRestartNeeded: () => {
      void stopTracing?.();
      server.ctx.log.flush(() => process.exit(EXIT_RESTART));
    },
  });
  // SIGTERM/SIGINT: drain within KEYWAY_SHUTDOWN_MS, then exit; a second signal exits at once.
  let draining = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (draining) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    draining = true;
    const deadline = setTimeout(() => {
      process.stderr.write(
        `shutdown took longer than KEYWAY_SHUTDOWN_MS (${config.shutdownMs} ms): exiting with work in flight\n`,
      );
      process.exit(1);
    }, config.shutdownMs);
    deadline.unref();
    await server.drain();
    await stopTracing?.();
    server.ctx.log.info({ category: 'http' }, 'stopped');
    server.ctx.log.flush(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // SIGHUP after renewing a certificate: re-read the TLS files, no restart (a bad file is
  // logged and the previous certificate stays). Without TLS, SIGHUP keeps its default.
  if (config.tlsCert || config.mqttTlsCert)
    process.on('SIGHUP', () => {
      server.reloadTls().catch(() => {
        // Logged by reloadTls, naming the setting.
      });
    });
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(
      `${err.message}\n\nRun with --help to see every setting.\n`,
    );
    process.exit(2);
  }
  throw err;
}
