import { createContext } from 'react';

/**
 * What the phone app and the dashboard share about languages: the choice (saved per app, else
 * the browser's), a translator over one dictionary per language with `{name}` placeholders
 * (English when a key is missing), and a React context (each app's `useI18n` reads it). Each
 * app brings its dictionaries.
 */
export type Lang = 'en' | 'es';
export const LANGS: { id: Lang; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'es', label: 'Español' },
];

export type TranslateFn<K extends string> = (
  key: K,
  vars?: Record<string, string | number>,
) => string;

export interface I18nOf<K extends string> {
  lang: Lang;
  t: TranslateFn<K>;
  setLang: (lang: Lang) => void;
}

export function makeI18n<K extends string>(opts: {
  dicts: Record<Lang, Record<K, string>>;
  /** Where the app remembers the choice (localStorage). */
  storageKey: string;
  /** Also set `<html lang>` when the choice changes. */
  setDocumentLang?: boolean;
}) {
  const { dicts, storageKey } = opts;
  const initialLang = (): Lang => {
    const saved = localStorage.getItem(storageKey);
    if (saved === 'en' || saved === 'es') return saved;
    return navigator.language.toLowerCase().startsWith('es') ? 'es' : 'en';
  };
  const saveLang = (lang: Lang): void => {
    localStorage.setItem(storageKey, lang);
    if (opts.setDocumentLang) document.documentElement.lang = lang;
  };
  const translator =
    (lang: Lang): TranslateFn<K> =>
    (key, vars) => {
      const text = dicts[lang][key] ?? dicts.en[key];
      return vars
        ? text.replace(/\{(\w+)\}/g, (m, name: string) =>
            String(vars[name] ?? m),
          )
        : text;
    };
  const I18nContext = createContext<I18nOf<K>>({
    lang: 'en',
    t: translator('en'),
    setLang: () => {},
  });
  return { initialLang, saveLang, translator, I18nContext };
}
