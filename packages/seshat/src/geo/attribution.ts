/**
 * The credit CC BY 4.0 asks for wherever results from the bundled DB-IP City Lite database are shown.
 * Its own module with no imports, so the web UI can import it into a footer without pulling in the reader.
 */
export const DBIP_ATTRIBUTION = 'IP geolocation by DB-IP (https://db-ip.com)';
/** DB-IP's web site, for the attribution link. */
export const DBIP_URL = 'https://db-ip.com';
