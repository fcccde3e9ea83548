import { describe, expect, it } from 'vitest';
import { toE164 } from './phone';

describe('phone numbers', () => {
  it('accepts international formats and returns E.164', () => {
    expect(toE164('+34 600 00 00 01')).toBe('+34600000001');
    expect(toE164('0034600000001')).toBe('+34600000001');
    expect(toE164('+1 (212) 555-0100')).toBe('+12125550100');
  });
  it('refuses numbers without a country code, and nonsense', () => {
    for (const bad of ['600000010', '+', 'hello', '+34 1']) {
      expect(() => toE164(bad), bad).toThrow(/not valid/);
    }
  });
});
