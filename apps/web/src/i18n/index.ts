import { useContext } from 'react';
import { type I18nOf, makeI18n, type TranslateFn } from './core';
import { en, type MessageKey } from './en';
import { es } from './es';

export { LANGS, type Lang } from './core';
export type { MessageKey };
export type Translate = TranslateFn<MessageKey>;
export type I18n = I18nOf<MessageKey>;

export const { initialLang, saveLang, translator, I18nContext } =
  makeI18n<MessageKey>({
    dicts: { en, es },
    storageKey: 'keyway.lang',
    setDocumentLang: true,
  });
export const useI18n = () => useContext(I18nContext);
