export function Footer() {
  return (
    <footer className="footer">
      <p>
        IP geolocation by{' '}
        <a href="https://db-ip.com" rel="noopener" target="_blank">
          DB-IP
        </a>
      </p>
    </footer>
  );
}
