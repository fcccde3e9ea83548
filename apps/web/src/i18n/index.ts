import { createContext, useContext } from 'react';
import { en, type MessageKey } from './en';
import { es } from './es';

export type Lang = 'en' | 'es';
export const LANGS: { id: Lang; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'es', label: 'Español' },
];
const DICTS: Record<Lang, Record<MessageKey, string>> = { en, es };
const KEY = 'keyway.lang';

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
  document.documentElement.lang = lang;
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
