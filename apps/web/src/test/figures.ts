import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ARTIFACTS } from './phone';

/** Measured figures, merged into test-artifacts/web/figures.json and printed. */
export function recordFigure(name: string, value: number): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = `${ARTIFACTS}figures.json`;
  let all: Record<string, number[]> = {};
  try {
    all = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // first figure of the run
  }
  all[name] = [...(all[name] ?? []), value];
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`[figure] ${name} = ${value}`);
}
