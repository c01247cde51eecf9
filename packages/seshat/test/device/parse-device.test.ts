import { describe, expect, it } from 'vitest';
import { ACCEPT_CH, parseDevice, readClientHints } from '../../src/device/index.ts';

type Row = [ua: string, label: string, browser: string | null, browserVersion: string | null, os: string | null, osVersion: string | null, deviceType: string, deviceModel: string | null];

/**
 * Real User-Agent strings of current browsers, crawlers, tools and apps. Frozen values of User-Agent
 * reduction (macOS 10_15_7, Windows NT 10.0, "Android 10; K", CrOS 14541.0.0) give no OS version:
 * only client hints can tell it (see the client-hint tests below).
 */
const table: Row[] = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Windows', 'Chrome', '131.0.0.0', 'Windows', null, 'desktop', null],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge on Windows', 'Edge', '131.0.0.0', 'Windows', null, 'desktop', null],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows', 'Firefox', '133.0', 'Windows', null, 'desktop', null],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0', 'Opera on Windows', 'Opera', '115.0.0.0', 'Windows', null, 'desktop', null],
  ['Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36', 'Chrome on Windows 7', 'Chrome', '109.0.0.0', 'Windows', '7', 'desktop', null],
  ['Mozilla/5.0 (Windows NT 6.3; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0', 'Firefox on Windows 8.1', 'Firefox', '115.0', 'Windows', '8.1', 'desktop', null],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on macOS', 'Chrome', '131.0.0.0', 'macOS', null, 'desktop', null],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 'Safari on macOS', 'Safari', '18.1', 'macOS', null, 'desktop', null],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on macOS', 'Firefox', '133.0', 'macOS', null, 'desktop', null],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge on macOS', 'Edge', '131.0.0.0', 'macOS', null, 'desktop', null],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0', 'Opera on macOS', 'Opera', '115.0.0.0', 'macOS', null, 'desktop', null],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Linux', 'Chrome', '131.0.0.0', 'Linux', null, 'desktop', null],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux', 'Firefox', '133.0', 'Linux', null, 'desktop', null],
  ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Ubuntu', 'Firefox', '133.0', 'Ubuntu', null, 'desktop', null],
  ['Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on ChromeOS', 'Chrome', '131.0.0.0', 'ChromeOS', null, 'desktop', null],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'Chrome on Android', 'Chrome', '131.0.0.0', 'Android', null, 'mobile', null],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Android', 'Chrome', '131.0.0.0', 'Android', null, 'tablet', null],
  ['Mozilla/5.0 (Android 15; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0', 'Firefox on Android', 'Firefox', '133.0', 'Android', '15', 'mobile', null],
  ['Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S928B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36', 'Samsung Internet on Android', 'Samsung Internet', '26.0', 'Android', '14', 'mobile', 'Galaxy S24 Ultra'],
  ['Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36', 'Samsung Internet on Android', 'Samsung Internet', '25.0', 'Android', '13', 'tablet', 'Galaxy Tab S9'],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0', 'Edge on Android', 'Edge', '131.0.0.0', 'Android', null, 'mobile', null],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36 OPR/86.0.0.0', 'Opera on Android', 'Opera', '86.0.0.0', 'Android', null, 'mobile', null],
  ['Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.107 Mobile Safari/537.36', 'Chrome WebView on Android', 'Chrome WebView', '130.0.6723.107', 'Android', '14', 'mobile', 'Pixel 8'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 'Safari on iPhone', 'Safari', '18.1', 'iOS', '18.1', 'mobile', 'iPhone'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1', 'Chrome on iPhone', 'Chrome', '131.0.6778.73', 'iOS', '18.1', 'mobile', 'iPhone'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15', 'Firefox on iPhone', 'Firefox', '133.0', 'iOS', '18.1', 'mobile', 'iPhone'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) EdgiOS/131.0.2903.68 Version/18.0 Mobile/15E148 Safari/604.1', 'Edge on iPhone', 'Edge', '131.0.2903.68', 'iOS', '18.1', 'mobile', 'iPhone'],
  ['Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', 'Safari on iPad', 'Safari', '18.1', 'iPadOS', '18.1', 'tablet', 'iPad'],
  ['Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1', 'Chrome on iPad', 'Chrome', '131.0.6778.73', 'iPadOS', '17.6', 'tablet', 'iPad'],
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Googlebot', 'Googlebot', '2.1', null, null, 'bot', null],
  ['Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Googlebot', 'Googlebot', '2.1', null, null, 'bot', null],
  ['Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36', 'Bingbot', 'Bingbot', '2.0', null, null, 'bot', null],
  ['Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)', 'YandexBot', 'YandexBot', '3.0', null, null, 'bot', null],
  ['DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)', 'DuckDuckBot', 'DuckDuckBot', '1.1', null, null, 'bot', null],
  ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 'AhrefsBot', 'AhrefsBot', '7.0', null, null, 'bot', null],
  ['facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', 'Facebook link preview', 'Facebook link preview', '1.1', null, null, 'bot', null],
  ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'Slackbot', 'Slackbot', '1.0', null, null, 'bot', null],
  ['curl/8.5.0', 'curl', 'curl', '8.5.0', null, null, 'cli', null],
  ['Wget/1.21.4', 'Wget', 'Wget', '1.21.4', null, null, 'cli', null],
  ['python-requests/2.32.3', 'Python Requests', 'Python Requests', '2.32.3', null, null, 'cli', null],
  ['Go-http-client/2.0', 'Go HTTP client', 'Go HTTP client', '2.0', null, null, 'cli', null],
  ['okhttp/4.12.0', 'okhttp', 'okhttp', '4.12.0', null, null, 'app', null],
  ['PostmanRuntime/7.42.0', 'Postman', 'Postman', '7.42.0', null, null, 'app', null],
  // Native apps over their HTTP libraries: their own type, named after the app, with the OS and a marketing model name.
  ['MyCompanyApp/3.2.1 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007) okhttp/4.12.0', 'MyCompanyApp on Android', 'MyCompanyApp', '3.2.1', 'Android', '14', 'app', 'Galaxy S23 Ultra'],
  ['Dalvik/2.1.0 (Linux; U; Android 13; SM-A546B Build/TP1A.220624.014)', 'App on Android', null, null, 'Android', '13', 'app', 'Galaxy A54'],
  ['MyApp/5.1 CFNetwork/1494.0.7 Darwin/23.4.0', 'MyApp on iPhone', 'MyApp', '5.1', 'iOS', null, 'app', null],
  ['MyApp/5.1 (iPhone; iOS 17.4; Scale/3.00)', 'MyApp on iPhone', 'MyApp', '5.1', 'iOS', '17.4', 'app', null],
  ['Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36', 'Samsung Internet on Android', 'Samsung Internet', '24.0', 'Android', '14', 'mobile', 'Galaxy S23 Ultra'],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.59 Electron/33.0.2 Safari/537.36', 'Slack on macOS', 'Slack', '4.41.105', 'macOS', null, 'app', null],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) discord/1.0.9171 Chrome/128.0.6613.186 Electron/32.2.2 Safari/537.36', 'Discord on Windows', 'Discord', '1.0.9171', 'Windows', null, 'app', null],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Postman/11.19.0 Chrome/128.0.6613.186 Electron/32.2.7 Safari/537.36', 'Postman on Windows', 'Postman', '11.19.0', 'Windows', null, 'app', null],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Code/1.95.3 Chrome/128.0.6613.186 Electron/32.2.1 Safari/537.36', 'VS Code on Linux', 'VS Code', '1.95.3', 'Linux', null, 'app', null],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Vivaldi/7.0.3495.18', 'Vivaldi on Windows', 'Vivaldi', '7.0.3495.18', 'Windows', null, 'desktop', null],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 YaBrowser/24.12.0.0 Safari/537.36', 'Yandex on Windows', 'Yandex', '24.12.0.0', 'Windows', null, 'desktop', null],
  ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36', 'Headless Chrome', 'Headless Chrome', '131.0.6778.85', null, null, 'bot', null],
];

describe('parseDevice: User-Agent table', () => {
  it('has at least 40 real User-Agent strings', () => {
    expect(table.length).toBeGreaterThanOrEqual(40);
  });

  it.each(table)('%s', (ua, label, browser, browserVersion, os, osVersion, deviceType, deviceModel) => {
    expect(parseDevice(ua)).toEqual({ label, browser, browserVersion, os, osVersion, deviceType, deviceModel });
  });
});

const chromeWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const chromeBrands = '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"';

describe('parseDevice: client hints', () => {
  it('tells Windows 11 from Windows 10 by Sec-CH-UA-Platform-Version', () => {
    const base = { 'sec-ch-ua': chromeBrands, 'sec-ch-ua-mobile': '?0', 'sec-ch-ua-platform': '"Windows"' };
    const win11 = parseDevice(chromeWindows, { ...base, 'sec-ch-ua-platform-version': '"15.0.0"' });
    expect(win11).toMatchObject({ label: 'Chrome on Windows 11', os: 'Windows', osVersion: '11', deviceType: 'desktop' });
    expect(parseDevice(chromeWindows, { ...base, 'sec-ch-ua-platform-version': '"13.0.0"' }).label).toBe('Chrome on Windows 11');
    const win10 = parseDevice(chromeWindows, { ...base, 'sec-ch-ua-platform-version': '"10.0.0"' });
    expect(win10).toMatchObject({ label: 'Chrome on Windows 10', osVersion: '10' });
    // Without the high-entropy hint, NT 10.0 could be either.
    expect(parseDevice(chromeWindows, base)).toMatchObject({ label: 'Chrome on Windows', osVersion: null });
  });

  it('keeps the full UA version when the hint brand agrees, and names browsers the UA hides', () => {
    expect(parseDevice(chromeWindows.replace('131.0.0.0', '131.0.6778.86'), { 'sec-ch-ua': chromeBrands })).toMatchObject({ browser: 'Chrome', browserVersion: '131.0.6778.86' });
    // Brave sends a Chrome UA; only its brand list says Brave.
    const brave = parseDevice(chromeWindows, { 'sec-ch-ua': '"Brave";v="131", "Chromium";v="131", "Not_A Brand";v="24"', 'sec-ch-ua-platform': '"Windows"' });
    expect(brave).toMatchObject({ browser: 'Brave', browserVersion: '131', label: 'Brave on Windows' });
    const edge = parseDevice(chromeWindows, { 'sec-ch-ua': '"Microsoft Edge";v="131", "Chromium";v="131", "Not_A Brand";v="24"' });
    expect(edge.browser).toBe('Edge');
  });

  it('reads the real Android version and phone model instead of the reduced "Android 10; K"', () => {
    const ua = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
    const device = parseDevice(ua, { 'sec-ch-ua': chromeBrands, 'sec-ch-ua-mobile': '?1', 'sec-ch-ua-platform': '"Android"', 'sec-ch-ua-platform-version': '"14.0.0"', 'sec-ch-ua-model': '"Pixel 8"' });
    expect(device).toEqual({ label: 'Chrome on Android', browser: 'Chrome', browserVersion: '131.0.0.0', os: 'Android', osVersion: '14', deviceType: 'mobile', deviceModel: 'Pixel 8' });
  });

  it('reads the real macOS version', () => {
    const ua = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    expect(parseDevice(ua, { 'sec-ch-ua-platform': '"macOS"', 'sec-ch-ua-platform-version': '"15.1.0"' })).toMatchObject({ label: 'Chrome on macOS', os: 'macOS', osVersion: '15.1' });
  });

  it('uses the hints alone when there is no User-Agent', () => {
    expect(parseDevice(null, { 'sec-ch-ua': chromeBrands, 'sec-ch-ua-mobile': '?0', 'sec-ch-ua-platform': '"Linux"' })).toMatchObject({ label: 'Chrome on Linux', browserVersion: '131', deviceType: 'desktop' });
  });

  it('ignores malformed structured headers instead of failing', () => {
    const device = parseDevice(chromeWindows, { 'sec-ch-ua': '"unterminated', 'sec-ch-ua-platform': 'Windows', 'sec-ch-ua-mobile': 'yes', 'sec-ch-ua-platform-version': '15' });
    expect(device).toMatchObject({ label: 'Chrome on Windows', osVersion: null, deviceType: 'desktop' });
    expect(readClientHints({ 'sec-ch-ua': '"a"; v=', 'sec-ch-ua-model': '""' })).toBeNull();
  });

  it('parses the brand list as a structured list, dropping GREASE brands', () => {
    const hints = readClientHints({ 'sec-ch-ua': '" Not A;Brand";v="99", "Chromium";v="131", "Microsoft Edge";v="131"', 'sec-ch-ua-mobile': '?0' });
    expect(hints).toEqual({ brands: [{ brand: 'Chromium', version: '131' }, { brand: 'Microsoft Edge', version: '131' }], mobile: false, platform: null, platformVersion: null, model: null });
  });

  it('asks for the hints it reads', () => {
    expect(ACCEPT_CH.split(', ')).toEqual(['Sec-CH-UA', 'Sec-CH-UA-Mobile', 'Sec-CH-UA-Platform', 'Sec-CH-UA-Platform-Version', 'Sec-CH-UA-Model']);
  });
});

describe('parseDevice: edge cases', () => {
  it('says "Unknown device" for nothing at all', () => {
    expect(parseDevice(null)).toMatchObject({ label: 'Unknown device', deviceType: 'unknown' });
    expect(parseDevice('   ')).toMatchObject({ label: 'Unknown device', deviceType: 'unknown' });
  });

  it('copes with very long and junk User-Agents', () => {
    expect(parseDevice('x'.repeat(100_000)).label).toBeTypeOf('string');
    expect(parseDevice('\u0000\uffff()/;').label).toBeTypeOf('string');
  });
});

describe('model names', () => {
  it('maps common model codes to marketing names, whatever the regional suffix, and leaves unknown ones alone', async () => {
    const { marketingName } = await import('../../src/device/model-names.ts');
    expect(marketingName('SM-S918B')).toBe('Galaxy S23 Ultra');
    expect(marketingName('SM-S918U1')).toBe('Galaxy S23 Ultra');
    expect(marketingName('sm-a546b')).toBe('Galaxy A54');
    expect(marketingName('CPH2581')).toBe('OnePlus 12');
    expect(marketingName('Pixel 8')).toBe('Pixel 8');
    expect(marketingName('SM-Z999B')).toBe('SM-Z999B');
  });
});
