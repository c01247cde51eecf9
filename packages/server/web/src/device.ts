import type { Translate } from './i18n/fmt.ts';

/** The device kinds the library's parser reports (packages/seshat/src/device), named in the UI's language. */
export function deviceTypeName(t: Translate, type: string): string {
  switch (type) {
    case 'desktop':
      return t('deviceType.desktop');
    case 'mobile':
      return t('deviceType.mobile');
    case 'tablet':
      return t('deviceType.tablet');
    case 'app':
      return t('deviceType.app');
    case 'cli':
      return t('deviceType.cli');
    case 'bot':
      return t('deviceType.bot');
    default:
      return t('common.unknown');
  }
}
