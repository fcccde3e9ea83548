import { createContext, useContext } from 'react';
import { ApiError, errorMessage } from '../api';
import { en, type MessageKey } from './en';
import { es } from './es';

export type Lang = 'en' | 'es';
export const LANGS: { id: Lang; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'es', label: 'Español' },
];
const DICTS: Record<Lang, Record<MessageKey, string>> = { en, es };
const KEY = 'keyway.admin.lang';

export type Translate = (
  key: MessageKey,
  vars?: Record<string, string | number>,
) => string;

export function initialLang(): Lang {
  const saved = localStorage.getItem(KEY);
  if (saved === 'en' || saved === 'es') return saved;
  return navigator.language.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function saveLang(lang: Lang): void {
  localStorage.setItem(KEY, lang);
}

export function translator(lang: Lang): Translate {
  const dict = DICTS[lang];
  return (key, vars) => {
    const text = dict[key] ?? en[key];
    return vars
      ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(vars[name] ?? m))
      : text;
  };
}

export interface I18n {
  lang: Lang;
  t: Translate;
  setLang: (lang: Lang) => void;
}
export const I18nContext = createContext<I18n>({
  lang: 'en',
  t: translator('en'),
  setLang: () => {},
});
export const useI18n = () => useContext(I18nContext);
export type { MessageKey };

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
