import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { AppError } from './errors';

/**
 * Accepts common human formats of an international number ("+34 600 00 00 01", "0034600000001",
 * "+1 (212) 555-0100") and returns E.164. A number without its country code is refused rather
 * than guessed: "600000010" could be Spanish or Malaysian.
 */
export function toE164(input: string, field = 'phone'): string {
  const cleaned = input.trim().replace(/^00/, '+');
  const parsed = cleaned.startsWith('+')
    ? parsePhoneNumberFromString(cleaned)
    : undefined;
  if (!parsed?.isPossible()) {
    throw new AppError(
      'invalid_phone',
      'That phone number is not valid; use international format, e.g. +34600000001.',
      [
        {
          field,
          message:
            'not a valid international phone number (start with + and the country code)',
        },
      ],
    );
  }
  return parsed.number;
}

/** The country (ISO 3166 alpha-2) of an E.164 number, when its numbering plan tells. */
export function countryOf(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.country;
}
