import type { MessageKey, Translate } from '../i18n';
import { en } from '../i18n/en';

/** A human sentence for an API error id (API.md error codes), or a generic one. */
export function errorText(t: Translate, code: string): string {
  const key = `err.${code}` as MessageKey;
  return key in en ? t(key) : t('err.unknown');
}
