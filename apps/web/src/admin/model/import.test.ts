import type { Group, Member } from '@keyway/protocol';
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './csv';
import { planImport } from './import';

describe('csv', () => {
  it('reads quoted fields, doubled quotes, CRLF and semicolons', () => {
    expect(parseCsv('a,"b, ""c"""\r\n\r\nd,e\n')).toEqual([
      ['a', 'b, "c"'],
      ['d', 'e'],
    ]);
    expect(parseCsv('+34600000001;Ana\n')).toEqual([['+34600000001', 'Ana']]);
  });

  it('writes what it reads, and defuses spreadsheet formulas but not phone numbers', () => {
    const text = toCsv([['+34600000001', '=HYPERLINK("x")', 'a,b', '-1+1']]);
    expect(text).toBe(`+34600000001,"'=HYPERLINK(""x"")","a,b",'-1+1\r\n`);
  });
});

describe('planImport', () => {
  const groups = [{ id: 'g1', name: 'Residents' }] as Group[];
  const members = [{ phone: '+34600000009' }] as Member[];
  it('maps header columns and marks rows that cannot work before any request', () => {
    const rows = planImport(
      'Name,Phone,Groups\nAna,+34 600 000 001,residents\nB,+34600000001,\nC,,\nD,+34600000009,\nE,+34600000002,Nope\n',
      groups,
      members,
      [],
    );
    expect(
      rows.map((r) => [r.line, r.phone, r.groupIds, r.problem?.code ?? null]),
    ).toEqual([
      [2, '+34 600 000 001', ['g1'], null],
      [3, '+34600000001', [], 'duplicate_row'],
      [4, '', [], 'empty_phone'],
      [5, '+34600000009', [], 'already_member'],
      [6, '+34600000002', [], 'unknown_group'],
    ]);
  });
});
