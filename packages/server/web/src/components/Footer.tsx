import { useT } from '../i18n/I18n.tsx';

export function Footer() {
  const t = useT();
  return (
    <footer className="footer">
      <p>
        {t('footer.geoCredit')}{' '}
        <a href="https://db-ip.com" rel="noopener" target="_blank">
          DB-IP
        </a>
      </p>
    </footer>
  );
}
