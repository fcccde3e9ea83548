import { useContext } from 'react';
import { type I18nOf, makeI18n, type TranslateFn } from '../../i18n/core';
import { ApiError, errorMessage } from '../api';
import { en, type MessageKey } from './en';
import { es } from './es';

export { LANGS, type Lang } from '../../i18n/core';
export type { MessageKey };
export type Translate = TranslateFn<MessageKey>;
export type I18n = I18nOf<MessageKey>;

export const { initialLang, saveLang, translator, I18nContext } =
  makeI18n<MessageKey>({ dicts: { en, es }, storageKey: 'keyway.admin.lang' });
export const useI18n = () => useContext(I18nContext);

/** A denial reason, open result or door state id in words (the id itself when unknown). */
export function reasonLabel(t: Translate, code: string): string {
  const key = `reason.${code}`;
  return key in en ? t(key as MessageKey) : code;
}

/** "1 member", "3 members". */
export function count(
  t: Translate,
  n: number,
  what: 'members' | 'doors' | 'updates' | 'entries',
): string {
  return t(n === 1 ? `count.${what}.one` : `count.${what}.other`, { n });
}

/** A failed call in the reader's language when we know its error id; the server's sentence otherwise. */
export function describeError(t: Translate, e: unknown): string {
  const key = e instanceof ApiError ? `error.${e.code}` : '';
  return key in en ? t(key as MessageKey) : errorMessage(e);
}
