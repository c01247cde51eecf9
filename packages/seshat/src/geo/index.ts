export { anonymizeIp, isLocalAddress, parseIp, type IpAddress } from './ip.ts';
export { DBIP_ATTRIBUTION, DBIP_URL } from './attribution.ts';
export { DBIP_PACKAGE, GeoIp, bundledDatabasePaths, geoLocator, localNetwork, openGeoIp, recordToLocation, type GeoIpSource, type GeoLocator } from './geoip.ts';
