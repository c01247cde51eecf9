export { anonymizeIp, isLocalAddress, parseIp, type IpAddress } from './ip.ts';
export { DBIP_ATTRIBUTION, GeoIp, bundledDatabasePaths, geoLocator, localNetwork, openGeoIp, recordToLocation, type GeoIpSource, type GeoLocator } from './geoip.ts';
