import { createAgent } from './agent';
import { parseConfig } from './config';
import { createDriver } from './drivers';
import { category, createLogger } from './log';
import { readCa } from './tls';

const result = parseConfig(process.argv.slice(2), process.env);
if (result.kind === 'help') {
  process.stdout.write(result.text);
  process.exit(0);
}
if (result.kind === 'error') {
  for (const problem of result.problems)
    process.stderr.write(`keyway-unit: ${problem}\n`);
  process.stderr.write('keyway-unit: run with --help for every setting\n');
  process.exit(2);
}

const { config } = result;
const pretty =
  config.logPretty === 'auto'
    ? process.stdout.isTTY === true
    : config.logPretty === 'true';
const log = createLogger(config.logLevel, pretty).child({
  unitId: config.username,
});
const driver = createDriver(config, category(log, 'driver'));
// parseConfig checked the file; read it once more here for its contents.
const ca = config.ca ? readCa(config.ca) : undefined;
if (ca && !ca.ok) {
  process.stderr.write(
    `keyway-unit: invalid --ca "${config.ca}": ${ca.problem}\n`,
  );
  process.exit(2);
}
const agent = createAgent({
  url: config.url,
  ca: ca?.ok && config.ca ? { pem: ca.pem, file: config.ca } : undefined,
  unitId: config.username,
  password: config.password,
  driver,
  driverName: config.driver,
  location: config.location,
  log,
  keepaliveSec: config.keepaliveSec,
  backoff: { minMs: config.reconnectMinMs, maxMs: config.reconnectMaxMs },
  stateFile: config.stateFile,
});

let stopping = false;
const shutdown = async (signal: NodeJS.Signals) => {
  if (stopping) {
    log.warn({ signal }, 'second signal, exiting now');
    process.exit(1);
  }
  stopping = true;
  log.info({ signal }, 'shutting down');
  try {
    await agent.stop();
    await driver.close();
    process.exit(0);
  } catch (err) {
    log.error({ err }, 'unclean shutdown');
    process.exit(1);
  }
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

agent.start();
