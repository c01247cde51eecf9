import { useT } from '../i18n/I18n.tsx';

/** The data sources' attribution (CC BY 4.0: DB-IP for places and networks, RouteViews for networks). */
export function Footer() {
  const t = useT();
  return (
    <footer className="footer">
      <p>
        {t('footer.geoCredit')}{' '}
        <a href="https://db-ip.com" rel="noopener" target="_blank">
          DB-IP
        </a>{' '}
        · {t('footer.networkCredit')}{' '}
        <a href="https://www.routeviews.org" rel="noopener" target="_blank">
          RouteViews
        </a>{' '}
        {t('footer.and')}{' '}
        <a href="https://db-ip.com" rel="noopener" target="_blank">
          DB-IP
        </a>
      </p>
    </footer>
  );
}
