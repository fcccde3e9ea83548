import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { AppError } from './errors';

/** Accepts common human formats ("+34 600 00 00 01", "0034600000001") and returns E.164. */
export function toE164(input: string, field = 'phone'): string {
  const cleaned = input.trim().replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(cleaned.startsWith('+') ? cleaned : `+${cleaned}`);
  if (!parsed?.isPossible()) {
    throw new AppError(
      'invalid_phone',
      'That phone number is not valid; use international format, e.g. +34600000001.',
      [{ field, message: 'not a valid international phone number' }],
    );
  }
  return parsed.number;
}
