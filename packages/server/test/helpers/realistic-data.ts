import { DAY, HOUR, MINUTE, dailyMetrics, expiryCutoffs, isDeviceBound, utcDay, type ManualClock } from 'seshat';
import type { SeshatServer } from '../../src/app.ts';

/**
 * The data set of issue 16: ten kinds of device (a native Android app over okhttp, curl, an empty User-Agent,
 * an iPad…), sign-ins minutes apart from several countries, people with 60-character e-mail addresses, and an
 * audit trail with a forced sign-out reason, and the daily rollups of the admin overview. Used by the realistic-data browser tests and `npm run screenshots`.
 * Needs a server that trusts 127.0.0.1 as a proxy (SESHAT_TRUSTED_PROXIES), so X-Forwarded-For places each sign-in.
 */
export const PASSWORD = 'correct horse battery';

export const UA = {
  windowsChrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  ubuntuFirefox: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70',
  androidApp: 'MyCompanyApp/3.2.1 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007) okhttp/4.12.0',
  samsungChrome: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  curl: 'curl/8.5.0',
  empty: '',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  /** The browser the tests and screenshots drive: the tenth device. */
  macChrome: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
};

/** Public addresses the bundled DB-IP database places in these cities. */
export const IP = {
  frankfurt: '80.239.137.0',
  amsterdam: '84.17.46.1',
  lisbon: '213.13.146.142',
  rio: '200.147.67.142',
  london: '81.2.69.142',
  stockholm: '89.160.20.112',
  paris: '62.210.16.6',
  home: '192.168.1.20',
};

/** 60 characters: the longest addresses people really have break layouts that 20-character ones never do. */
export const ADMIN = 'alexandra.konstantinopoulou-featherstonehaugh@example-corp.de';
export const PEOPLE = [
  { email: 'maximiliane.von-und-zu-hohenberg-schwarzenfels@example-corp.de', name: 'Maximiliane von und zu Hohenberg-Schwarzenfels' },
  { email: 'bob@example.com', name: 'Bob' },
  { email: 'jean-baptiste.delacroix-montgolfier@subsidiary.example-corp.fr', name: 'Jean-Baptiste Delacroix' },
];

export interface SeededData {
  admin: string;
  /** Cookies of a few sessions, by e-mail (for API calls as that person). */
  cookies: Map<string, string>;
}

export async function seedRealisticData(url: string, server: SeshatServer, clock: ManualClock): Promise<SeededData> {
  const now = clock.now();
  const signInAt = async (email: string, ua: string, ip: string, ago: number, remember = false): Promise<string> => {
    clock.set(now - ago);
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', 'user-agent': ua, 'x-forwarded-for': ip },
      body: JSON.stringify({ email, password: PASSWORD, remember }),
    });
    if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
    clock.set(now);
    return response.headers.get('set-cookie')!.split(';')[0]!;
  };
  const call = (cookie: string, method: string, path: string, body?: unknown) =>
    fetch(url + path, {
      method,
      headers: { cookie, 'sec-fetch-site': 'same-origin', 'x-forwarded-for': IP.frankfurt, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  clock.set(now - 40 * DAY);
  await server.users.create({ email: ADMIN, name: 'Alexandra Konstantinopoulou-Featherstonehaugh', role: 'admin', password: PASSWORD });
  for (const person of PEOPLE) await server.users.create({ ...person, role: 'user', password: PASSWORD });
  clock.set(now);

  // The admin's nine other devices, oldest first: weeks ago at home, then sign-ins minutes apart from several
  // countries (what impossible-travel rules flag).
  const history: [ua: string, ip: string, ago: number, remember?: boolean][] = [
    [UA.windowsChrome, IP.frankfurt, 20 * DAY, true],
    [UA.ubuntuFirefox, IP.home, 5 * DAY],
    [UA.edge, IP.amsterdam, 3 * DAY],
    [UA.ipad, IP.lisbon, 26 * HOUR, true],
    [UA.iphone, IP.lisbon, 3 * HOUR],
    [UA.androidApp, IP.rio, 40 * MINUTE, true],
    [UA.samsungChrome, IP.stockholm, 38 * MINUTE],
    [UA.curl, IP.london, 30 * MINUTE],
    [UA.empty, IP.paris, 25 * MINUTE],
  ];
  const cookies = new Map<string, string>();
  for (const [ua, ip, ago, remember] of history) cookies.set(ADMIN, await signInAt(ADMIN, ua, ip, ago, remember));
  cookies.set(PEOPLE[0]!.email, await signInAt(PEOPLE[0]!.email, UA.windowsChrome, IP.frankfurt, 2 * DAY));
  await signInAt(PEOPLE[0]!.email, UA.iphone, IP.frankfurt, 4 * HOUR);
  cookies.set(PEOPLE[1]!.email, await signInAt(PEOPLE[1]!.email, UA.macChrome, IP.london, 6 * HOUR));
  cookies.set(PEOPLE[2]!.email, await signInAt(PEOPLE[2]!.email, UA.edge, IP.paris, 5 * DAY, true));
  await signInAt(PEOPLE[2]!.email, UA.androidApp, IP.paris, 1 * HOUR);

  // A failed sign-in, a settings change, a forced sign-out with its reason, one revoked session.
  clock.set(now - 15 * MINUTE);
  await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', 'x-forwarded-for': IP.rio },
    body: JSON.stringify({ email: PEOPLE[1]!.email, password: 'guess' }),
  });
  // Admin actions need a recent sign-in (step-up): a fresh session, signed out again afterwards.
  const admin = await signInAt(ADMIN, UA.macChrome, IP.frankfurt, 11 * MINUTE);
  clock.set(now - 10 * MINUTE);
  await call(admin, 'PATCH', '/api/admin/settings', { maxSessionsPerUser: 20 });
  const bob = (await server.users.findByEmail(PEOPLE[1]!.email))!;
  await call(admin, 'POST', `/api/admin/users/${bob.id}/sign-out`, { reason: 'Laptop reported stolen at the Lisbon office; new one issued' });
  const jean = (await (await call(admin, 'GET', `/api/admin/sessions?user=${encodeURIComponent(PEOPLE[2]!.email)}`)).json()) as { sessions: { id: string }[] };
  await call(admin, 'DELETE', `/api/admin/sessions/${jean.sessions.at(-1)!.id}`, { reason: 'Old kiosk session' });
  const check = await call(admin, 'GET', '/api/admin/audit?action=user.force-signed-out');
  if (((await check.json()) as { events: unknown[] }).events.length !== 1) throw new Error('seeding: the forced sign-out did not happen');
  await call(admin, 'POST', '/api/auth/logout');
  clock.set(now);
  // API keys with some use.
  const { key } = (await (await call(cookies.get(PEOPLE[0]!.email)!, 'POST', '/api/api-keys', { name: 'Nightly export to the data warehouse (production)' })).json()) as { key: string };
  for (let i = 0; i < 3; i++) await fetch(`${url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } });

  // The overview's "active sessions over time": the snapshots the background pass would have taken at the end of
  // each of the last 30 days (the sessions signed in by then that are still live; sign-ins and endings above were
  // counted by the server itself, on the days the clock said).
  const { items: live } = await server.store.listActiveSessions({ cutoffs: expiryCutoffs(server.manager.settings, now) });
  const bound = live.filter(isDeviceBound);
  for (let d = 29; d >= 0; d--) {
    const end = Math.min(now, Date.parse(utcDay(now - d * DAY)) + DAY - 1);
    const by = (list: typeof live) => list.filter((s) => s.createdAt <= end).length;
    await server.store.setDailyValues(utcDay(end), [[dailyMetrics.active, by(live)], [dailyMetrics.bound, by(bound)]]);
  }
  return { admin: ADMIN, cookies };
}
