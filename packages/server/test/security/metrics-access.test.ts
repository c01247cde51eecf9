import { afterEach, describe, expect, it } from 'vitest';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

const gauge = (text: string) => Number(/^seshat_sessions_active (\d+)$/m.exec(text)?.[1]);

/** Issue 14.23: /metrics behind a token or on its own listener, and a gauge that does not count on every scrape. */
describe.each(STORE_KINDS)('/metrics access and cost (%s)', (kind) => {
  let t: TestServer | undefined;
  afterEach(() => t?.close());

  it('with SESHAT_METRICS_TOKEN, only a scraper with the token gets the metrics', async () => {
    t = await startTestServer({ store: kind, env: { SESHAT_METRICS_TOKEN: 'scrape-token-0123456789' } });
    const anonymous = await fetch(`${t.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-012345678X' } })).status).toBe(401);
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('seshat_sessions_active');
  });

  it('with SESHAT_METRICS_ADDRESS, /metrics is served only on its own listener', async () => {
    t = await startTestServer({ store: kind, env: { SESHAT_METRICS_ADDRESS: '127.0.0.1:0' } });
    // The public port has no metrics (with the web UI built, an unknown path may get the UI's index.html).
    const publicPort = await fetch(`${t.url}/metrics`);
    expect(publicPort.headers.get('content-type')).not.toContain('version=0.0.4');
    expect(await publicPort.text()).not.toContain('seshat_sessions');
    const address = await t.server.metricsApp!.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('seshat_sessions_created_total');
    expect((await fetch(`${address}/api/sessions`)).status).toBe(404); // nothing else there
  });

  it('counts the active-session gauge at most every 15 s, however often it is scraped', async () => {
    t = await startTestServer({ store: kind });
    await t.addUser('ann@example.com');
    await new Client(t.url).login('ann@example.com');
    expect(gauge(await (await fetch(`${t.url}/metrics`)).text())).toBe(1);
    await new Client(t.url).login('ann@example.com');
    expect(gauge(await (await fetch(`${t.url}/metrics`)).text())).toBe(1); // cached
    t.clock.advance(15_000);
    expect(gauge(await (await fetch(`${t.url}/metrics`)).text())).toBe(2);
  });
});
