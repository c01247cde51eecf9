import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES, pickLocale } from '../../web/src/i18n/locale.ts';
import { catalogs } from '../../web/src/i18n/messages/index.ts';

/** Every argument a message uses, with its kind ("count:plural", "name:argument"), nested ones included. */
function argumentsOf(elements: MessageFormatElement[], into = new Set<string>()): Set<string> {
  for (const element of elements) {
    if (element.type === TYPE.argument) into.add(`${element.value}:argument`);
    if (element.type === TYPE.number) into.add(`${element.value}:number`);
    if (element.type === TYPE.date || element.type === TYPE.time) into.add(`${element.value}:date`);
    if (element.type === TYPE.plural || element.type === TYPE.select) {
      into.add(`${element.value}:${element.type === TYPE.plural ? 'plural' : 'select'}`);
      for (const option of Object.values(element.options)) argumentsOf(option.value, into);
    }
    if (element.type === TYPE.tag) argumentsOf(element.children, into);
  }
  return into;
}

const english = catalogs.en;

describe('web UI message catalogs', () => {
  it.each(LOCALES.filter((l) => l !== 'en'))('%s has every key of the English catalog, and no other', (locale) => {
    const catalog = catalogs[locale] as Record<string, string>;
    const missing = Object.keys(english).filter((key) => !(key in catalog) || catalog[key]!.trim() === '');
    const extra = Object.keys(catalog).filter((key) => !(key in english));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(LOCALES)('every %s message is valid ICU and uses the same arguments as the English one', (locale) => {
    const catalog = catalogs[locale] as Record<string, string>;
    for (const [key, source] of Object.entries(english)) {
      const want = [...argumentsOf(parse(source))].sort();
      const have = [...argumentsOf(parse(catalog[key]!))].sort();
      expect(have, `${locale} ${key}`).toEqual(want);
    }
  });

  it('every message id the UI uses exists in the catalog', () => {
    // t('…'), f.t('…') and message ids in lookup tables ('audit.action.signIn'): any quoted catalog-like id.
    const root = join(import.meta.dirname, '../../web/src');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f) && !f.startsWith('i18n/messages'));
    const used = new Set<string>();
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z]+\.[a-zA-Z0-9.]+)'/g)) used.add(match[1]!);
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((id) => !(id in english))).toEqual([]);
  });

  it('picks the first supported language from the browser preferences', () => {
    expect(pickLocale(['de-AT', 'en'])).toBe('de');
    expect(pickLocale(['pt-BR', 'es-MX'])).toBe('es');
    expect(pickLocale(['fr-FR'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});
