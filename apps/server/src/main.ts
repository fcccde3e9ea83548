import { ConfigError, configHelp, loadConfig } from './config';
import { startServer } from './server';
import { buildWebApps } from './web-build';

/** `npm run serve`: the server alone, configured only by the environment, no demo data. */
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(
    `Usage: npm run serve\n\nThe Keyway server: HTTP API, unit broker, storage.\n\n${configHelp()}`,
  );
  process.exit(0);
}

try {
  const config = loadConfig();
  if (config.webBuild)
    buildWebApps((line) => process.stdout.write(`${line}\n`));
  const server = await startServer(config);
  const stop = async () => {
    await server.stop();
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
