import { HELP, parseArgs } from './options';
import { failed, formatResult, runKit } from './run';

const parsed = parseArgs(process.argv.slice(2));
if (parsed.kind === 'help') {
  process.stdout.write(HELP);
  process.exit(0);
}
if (parsed.kind === 'error') {
  for (const p of parsed.problems)
    process.stderr.write(`unit-conformance: ${p}\n`);
  process.stderr.write('unit-conformance: run with --help\n');
  process.exit(2);
}
const { options } = parsed;
const results = await runKit(options, {
  onReady: (u) => {
    if (options.unitCmd) return;
    process.stdout.write(
      `Waiting ${options.connectTimeoutMs / 1000} s for the unit. Give it:\n` +
        `  KEYWAY_UNIT_URL=${u.url}\n  KEYWAY_UNIT_USERNAME=${u.username}\n` +
        `  KEYWAY_UNIT_PASSWORD=${u.password}\n`,
    );
  },
  onResult: (r) => process.stdout.write(`${formatResult(r)}\n`),
});
const bad = failed(results);
const na = results.filter((r) => r.outcome.status === 'n/a').length;
process.stdout.write(
  `\n${results.length - bad.length - na} passed, ${bad.length} failed, ${na} not checkable here\n`,
);
process.exit(bad.length > 0 ? 1 : 0);
