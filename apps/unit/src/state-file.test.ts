import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadState, saveState } from './state-file';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const fresh = () => {
  dir = mkdtempSync(join(tmpdir(), 'keyway-state-'));
  return join(dir, 'state.json');
};

describe('state file', () => {
  it('round-trips the view and cursor, replacing the file without leaving temporary files', async () => {
    const path = fresh();
    expect(loadState(path, 'u1')).toEqual({ kind: 'missing' });
    await saveState(path, 'u1', {
      cursor: 'e1.5',
      view: new Map([['k', { a: 1 }]]),
    });
    await saveState(path, 'u1', {
      cursor: 'e1.9',
      view: new Map<string, unknown>([
        ['k', { a: 2 }],
        ['j', null],
      ]),
    });
    expect(loadState(path, 'u1')).toEqual({
      kind: 'loaded',
      state: {
        cursor: 'e1.9',
        view: new Map<string, unknown>([
          ['k', { a: 2 }],
          ['j', null],
        ]),
      },
    });
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      version: 1,
      unitId: 'u1',
      cursor: 'e1.9',
    });
  });

  it('refuses a corrupt file, a foreign one and another unit’s', () => {
    const path = fresh();
    writeFileSync(path, '{"version":1,"unitId":"u1","cur');
    expect(loadState(path, 'u1')).toEqual({
      kind: 'unusable',
      problem: 'not JSON',
    });
    writeFileSync(path, '{"hello":"world"}');
    expect(loadState(path, 'u1')).toEqual({
      kind: 'unusable',
      problem: 'not a unit state file',
    });
    writeFileSync(
      path,
      JSON.stringify({ version: 1, unitId: 'u2', cursor: null, view: {} }),
    );
    expect(loadState(path, 'u1')).toEqual({
      kind: 'unusable',
      problem: 'written for unit u2',
    });
  });

  it('fails a save into a missing directory and leaves nothing behind', async () => {
    const path = join(fresh(), 'nope', 'state.json');
    await expect(
      saveState(path, 'u1', { cursor: 'e1.1', view: new Map() }),
    ).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });
});
