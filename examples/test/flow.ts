import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/**
 * Drives an example app the way its README promises, over real HTTP, as curl or supertest would: no browser
 * headers but `Origin` (the app's own origin, accepted without configuration). Used by the examples tests
 * (examples/test) and by the package check (scripts/package-check.ts), which runs the README's code in fresh
 * apps on the packed tarball. Throws on the first broken promise; plain checks keep it runnable outside vitest.
 */
export async function exerciseExample(url: string): Promise<void> {
  const origin = new URL(url).origin;
  const browser = client(url, origin);
  const phone = client(url, origin);

  await expectStatus(browser.post('/login', { email: 'alice@example.com', password: 'wrong' }), 401, 'a wrong password');
  await expectStatus(browser.get('/me'), 401, 'an anonymous /me');
  const signedIn = await json<{ session: Record<string, unknown> }>(browser.post('/login', { email: 'alice@example.com', password: 'correct horse' }));
  check(!('secretHash' in signedIn.session), 'the session in the login answer has no secretHash');
  check(browser.cookie.startsWith('session_token=ses_'), `the login sets the session cookie (got "${browser.cookie}")`);
  const me = await json<{ session: { userId: string; device: { label: string } } }>(browser.get('/me'));
  check(me.session.userId === 'usr_alice', '/me names the signed-in user');
  check(me.session.device.label === 'Chrome on macOS', `device parsing is on by default (got "${me.session.device.label}")`);

  // A cross-site sign-in is refused before a session exists; a cross-site write with the cookie too.
  await expectStatus(client(url, 'https://evil.example').post('/login', { email: 'alice@example.com', password: 'correct horse' }), 403, 'a cross-site sign-in');
  await expectStatus(browser.post('/sessions/revoke-others', {}, { origin: 'https://evil.example' }), 403, 'a cross-site write');

  const phoneLogin = await json<{ session: { id: string } }>(phone.post('/login', { email: 'alice@example.com', password: 'correct horse', remember: true }));
  const listed = await json<{ sessions: { id: string }[] }>(browser.get('/sessions'));
  check(listed.sessions.length === 2 && listed.sessions[0]!.id !== phoneLogin.session.id, 'the list has both sessions, this one first');
  await expectStatus(browser.delete(`/sessions/${listed.sessions[0]!.id}`), 409, 'revoking the current session');
  await expectStatus(browser.delete(`/sessions/${phoneLogin.session.id}`), 204, 'revoking the other session');
  await expectStatus(phone.get('/me'), 401, 'the revoked session');
  await expectStatus(browser.delete('/sessions/ses_doesnotexist'), 404, 'an unknown session');

  await json(phone.post('/login', { email: 'alice@example.com', password: 'correct horse' }));
  const others = await json<{ revoked: number }>(browser.post('/sessions/revoke-others', {}));
  check(others.revoked === 1, `revoke-others signs out the other session (revoked ${others.revoked})`);
  await expectStatus(phone.get('/me'), 401, 'a session signed out by revoke-others');

  const created = await json<{ id: string; key: string }>(browser.post('/api-keys', { name: 'deploy script' }));
  const script = client(url, undefined, { authorization: `Bearer ${created.key}` });
  const byKey = await json<{ session: unknown; apiKey: { userId: string } }>(script.get('/me'));
  check(byKey.session === null && byKey.apiKey.userId === 'usr_alice' && !('secretHash' in byKey.apiKey), 'a Bearer key acts as its owner, without secretHash');
  const keys = await json<{ apiKeys: { id: string; requests24h: number }[] }>(browser.get('/api-keys'));
  check(keys.apiKeys.length === 1 && keys.apiKeys[0]!.requests24h >= 1, 'the key is listed with its use counted');
  await expectStatus(browser.delete(`/api-keys/${created.id}`), 204, 'revoking the key');
  await expectStatus(script.get('/me'), 401, 'a revoked key');

  await expectStatus(browser.post('/logout', {}), 204, 'sign-out');
  await expectStatus(browser.get('/me'), 401, 'a signed-out session');
}

/** Starts an example (PORT=0) and resolves with its address, read from its "listening on" log line. */
export async function startExample(command: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(command[0]!, command.slice(1), { cwd, env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 30 s:\n${output}`)), 30_000);
    lines.on('line', (line) => {
      output += line + '\n';
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output}`));
    });
  });
  return { url, child, output: () => output };
}

/** Sends SIGTERM and resolves with the exit code: a graceful shutdown ends the process by itself. */
export async function stopExample(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
}

const CHROME_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** A cookie-keeping client; `origin` is sent on every request, as a page of that origin would. */
function client(base: string, origin: string | undefined, extra: Record<string, string> = {}) {
  const state = { cookie: '' };
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        'user-agent': CHROME_MAC,
        ...(origin ? { origin } : {}),
        ...(state.cookie ? { cookie: state.cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...extra,
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const pair = response.headers.get('set-cookie')?.split(';')[0];
    if (pair !== undefined) state.cookie = pair.endsWith('=') ? '' : pair;
    return response;
  };
  return {
    get cookie() {
      return state.cookie;
    },
    get: (path: string) => send('GET', path),
    post: (path: string, body: unknown, headers?: Record<string, string>) => send('POST', path, body, headers),
    delete: (path: string) => send('DELETE', path),
  };
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`Example check failed: ${what}`);
}

async function expectStatus(response: Promise<Response>, status: number, what: string): Promise<void> {
  const r = await response;
  check(r.status === status, `${what} answers ${status} (got ${r.status}: ${await r.text()})`);
}

async function json<T = unknown>(response: Promise<Response>): Promise<T> {
  const r = await response;
  check(r.ok, `${r.url} answers 2xx (got ${r.status}: ${await r.clone().text()})`);
  return (await r.json()) as T;
}
