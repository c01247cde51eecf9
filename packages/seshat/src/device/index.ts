export { parseDevice } from './parse-device.ts';
export { ACCEPT_CH, CLIENT_HINT_HEADERS, readClientHints, type ClientHints, type HeaderBag } from './client-hints.ts';
