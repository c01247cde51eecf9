import { HOME } from '../components/Layout.tsx';
import type { Crumb } from '../components/Page.tsx';
import type { Translate } from '../i18n/fmt.ts';

/** Breadcrumbs name the sidebar group a page sits in and link to its first page. */
export const accountTrail = (t: Translate): Crumb[] => [{ label: t('nav.account'), to: HOME }];
export const adminTrail = (t: Translate): Crumb[] => [{ label: t('nav.admin'), to: '/admin/sessions' }];
export const sessionsTrail = (t: Translate): Crumb[] => [...accountTrail(t), { label: t('nav.sessions'), to: HOME }];
