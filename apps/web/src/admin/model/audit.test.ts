import type { AuditEntry } from '@keyway/protocol';
import { describe, expect, it } from 'vitest';
import { changedFields, mergeNewest, shortValue } from './audit';

const entry = (id: string): AuditEntry => ({
  id,
  at: '2027-05-03T08:00:00.000Z',
  actor: {
    userId: 'usr_1',
    name: null,
    phone: '+34600000001',
    sessionId: 'ses_1',
    apiKeyId: null,
  },
  action: 'updateDoor',
  object: { type: 'door', id: 'door_1', name: 'Front' },
  before: null,
  after: null,
});

describe('audit entries in the dashboard', () => {
  it('names the fields an update changed, nested values compared whole', () => {
    expect(
      changedFields({
        before: {
          name: 'A',
          pulseMs: 500,
          access: { timeFrames: [] },
          id: 'x',
        },
        after: {
          name: 'B',
          pulseMs: 500,
          access: { timeFrames: [{ days: ['mon'] }] },
          id: 'x',
        },
      }),
    ).toEqual([
      { field: 'name', before: 'A', after: 'B' },
      {
        field: 'access',
        before: { timeFrames: [] },
        after: { timeFrames: [{ days: ['mon'] }] },
      },
    ]);
    expect(changedFields({ before: null, after: { name: 'A' } })).toEqual([]);
    expect(
      changedFields({ before: { name: 'A' }, after: { name: 'A' } }),
    ).toEqual([]);
  });

  it('shows values in one short line', () => {
    expect(shortValue(null)).toBe('—');
    expect(shortValue('Front')).toBe('Front');
    expect(shortValue(true)).toBe('true');
    expect(shortValue({ a: 'x'.repeat(100) }).length).toBe(78);
  });

  it('puts newly fetched entries in front, each once', () => {
    const shown = [entry('b'), entry('a')];
    expect(
      mergeNewest([entry('c'), entry('b')], shown).map((e) => e.id),
    ).toEqual(['c', 'b', 'a']);
    expect(mergeNewest([entry('b')], shown)).toBe(shown);
  });
});
