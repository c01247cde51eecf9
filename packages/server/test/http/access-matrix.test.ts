import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionSettings } from 'seshat';
import { Client, STORE_KINDS, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * Every admin endpoint × every role × every `teamSessionAccess` level → the expected status, generated from the
 * one table below, on both stores. Each cell starts from a fresh sign-in of the caller and of Bob (the person
 * acted on), so destructive endpoints (revoke-all, disable) cannot change the next cell's outcome.
 */
type Role = 'owner' | 'admin' | 'auditor' | 'user';
type Access = SessionSettings['teamSessionAccess'];
type Statuses = [owner: number, admin: number, auditor: number, user: number];
interface Ids { bob: string; bobSession: string; otherOwner: string; bobKey: string }
interface Endpoint {
  method: string;
  path: (ids: Ids) => string;
  body?: unknown;
  /** The cell needs a live API key of Bob's (`ids.bobKey`). */
  withKey?: boolean;
  full: Statuses;
  'view-only'?: Statuses;
  off?: Statuses;
}

const reason = { reason: 'incident 42' };
const samePolicy = { reauthenticationWindowSeconds: 600 };
const ALL_OK_BUT_OWNERS: Statuses = [200, 200, 403, 403];

// prettier-ignore
const table: Record<string, Endpoint> = {
  'list sessions':            { method: 'GET',    path: () => '/api/admin/sessions',                     full: [200, 200, 200, 403], off: [403, 403, 403, 403] },
  "list one person's":        { method: 'GET',    path: (i) => `/api/admin/sessions?user=${i.bob}`,      full: [200, 200, 200, 403], off: [403, 403, 403, 403] },
  'list people':              { method: 'GET',    path: () => '/api/admin/users',                        full: [200, 200, 200, 403] },
  'people over the limit':    { method: 'GET',    path: () => '/api/admin/users?manySessions=true',      full: [200, 200, 200, 403] },
  'overview':                 { method: 'GET',    path: () => '/api/admin/overview?days=7',              full: [200, 200, 200, 403] },
  'revoke one session':       { method: 'DELETE', path: (i) => `/api/admin/sessions/${i.bobSession}`,   body: reason, full: [204, 204, 403, 403], 'view-only': [403, 403, 403, 403], off: [404, 404, 404, 403] },
  'force sign-out':           { method: 'POST',   path: (i) => `/api/admin/users/${i.bob}/sign-out`,     body: reason, full: ALL_OK_BUT_OWNERS },
  'revoke all':               { method: 'POST',   path: () => '/api/admin/sessions/revoke-all',          body: {}, full: ALL_OK_BUT_OWNERS },
  'revoke matching, dry run': { method: 'POST',   path: () => '/api/admin/sessions/revoke-matching',     body: { filter: { persistent: false }, reason: 'x', dryRun: true }, full: ALL_OK_BUT_OWNERS, 'view-only': [403, 403, 403, 403], off: [403, 403, 403, 403] },
  'revoke matching':          { method: 'POST',   path: () => '/api/admin/sessions/revoke-matching',     body: { filter: { persistent: false }, reason: 'x' }, full: ALL_OK_BUT_OWNERS, 'view-only': [403, 403, 403, 403], off: [403, 403, 403, 403] },
  'read settings':            { method: 'GET',    path: () => '/api/admin/settings',                     full: [200, 200, 200, 403] },
  'change settings':          { method: 'PATCH',  path: () => '/api/admin/settings',                     body: { maxSessionsPerUser: null }, full: ALL_OK_BUT_OWNERS },
  'read the audit log':       { method: 'GET',    path: () => '/api/admin/audit',                        full: [200, 200, 200, 403] },
  'disable a user':           { method: 'POST',   path: (i) => `/api/admin/users/${i.bob}/disable`,      body: reason, full: ALL_OK_BUT_OWNERS },
  'enable a user':            { method: 'POST',   path: (i) => `/api/admin/users/${i.bob}/enable`,       body: {}, full: ALL_OK_BUT_OWNERS },
  'view a person':            { method: 'GET',    path: (i) => `/api/admin/users/${i.bob}`,              full: [200, 200, 200, 403] },
  "a person's API keys":      { method: 'GET',    path: (i) => `/api/admin/users/${i.bob}/api-keys`,     full: ALL_OK_BUT_OWNERS },
  "revoke a person's key":    { method: 'DELETE', path: (i) => `/api/admin/api-keys/${i.bobKey}`,        body: reason, withKey: true, full: [204, 204, 403, 403] },
  'disable an owner':         { method: 'POST',   path: (i) => `/api/admin/users/${i.otherOwner}/disable`, body: reason, full: [200, 403, 403, 403] },
  // Session policies: the bodies repeat the defaults, so no cell changes what the next one sees.
  'read policies':            { method: 'GET',    path: () => '/api/admin/policies',                     full: [200, 200, 200, 403] },
  'set a role policy':        { method: 'PUT',    path: () => '/api/admin/policies/roles/user',          body: samePolicy, full: ALL_OK_BUT_OWNERS },
  'clear a role policy':      { method: 'DELETE', path: () => '/api/admin/policies/roles/user',          full: [204, 204, 403, 403] },
  "set the owners' policy":   { method: 'PUT',    path: () => '/api/admin/policies/roles/owner',         body: samePolicy, full: [200, 403, 403, 403] },
  "set a person's policy":    { method: 'PUT',    path: (i) => `/api/admin/users/${i.bob}/policy`,       body: samePolicy, full: ALL_OK_BUT_OWNERS },
  "clear a person's policy":  { method: 'DELETE', path: (i) => `/api/admin/users/${i.bob}/policy`,       full: [204, 204, 403, 403] },
  "set an owner's policy":    { method: 'PUT',    path: (i) => `/api/admin/users/${i.otherOwner}/policy`, body: samePolicy, full: [200, 403, 403, 403] },
  'preview a policy':         { method: 'POST',   path: () => '/api/admin/policies/preview',             body: { role: 'user', policy: samePolicy }, full: ALL_OK_BUT_OWNERS },
  'effective policy':         { method: 'GET',    path: (i) => `/api/admin/users/${i.bob}/effective-policy`, full: [200, 200, 200, 403] },
};

const roles: Role[] = ['owner', 'admin', 'auditor', 'user'];
const levels: Access[] = ['full', 'view-only', 'off'];

describe.each(STORE_KINDS)('access matrix: role × endpoint × teamSessionAccess (%s)', (kind) => {
  let t: TestServer;
  let bobId: string;
  let otherOwner: string;

  beforeAll(async () => {
    t = await startTestServer({ store: kind });
    for (const role of roles) await t.addUser(`${role}@example.com`, role);
    bobId = (await t.addUser('bob@example.com')).id;
    otherOwner = (await t.addUser('owner2@example.com', 'owner')).id;
  }, 60_000);
  afterAll(() => t?.close());

  /** A fresh start for one cell: the access level, Bob and the other owner enabled, Bob signed in. */
  async function cell(access: Access, withKey = false): Promise<Ids> {
    await t.server.manager.updateSettings({ userId: 'setup', role: 'owner' }, { teamSessionAccess: access });
    await t.server.users.enable(null, bobId);
    await t.server.users.enable(null, otherOwner);
    const bob = new Client(t.url);
    const bobSession = (await bob.login('bob@example.com')).session.id;
    const bobKey = withKey ? (await t.server.apiKeys.create({ userId: bobId, sessionId: bobSession, ip: null }, 'matrix')).apiKey.id : '';
    return { bob: bobId, bobSession, otherOwner, bobKey };
  }

  for (const access of levels) {
    it(`${access}: every role gets the table's status on every endpoint`, async () => {
      const seen: string[] = [];
      const wanted: string[] = [];
      for (const [name, e] of Object.entries(table)) {
        const statuses = e[access] ?? e.full;
        for (const [index, role] of roles.entries()) {
          const ids = await cell(access, e.withKey);
          const caller = new Client(t.url);
          await caller.login(`${role}@example.com`);
          const res = await caller.request(e.method, e.path(ids), e.body);
          seen.push(`${name} / ${role}: ${res.status}`);
          wanted.push(`${name} / ${role}: ${statuses[index]}`);
          if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
        }
      }
      expect(seen).toEqual(wanted);
    }, 120_000);
  }

  it('anonymous callers get 401 and API keys (even an admin\'s) 403 on every endpoint', async () => {
    const seen: string[] = [];
    for (const [name, e] of Object.entries(table)) {
      const ids = await cell('full', e.withKey);
      // A fresh key per endpoint: signing everyone out (revoke-all) ends API keys too.
      const admin = new Client(t.url);
      await admin.login('admin@example.com');
      const adminKey = ((await (await admin.post('/api/api-keys', { name: 'script' })).json()) as { key: string }).key;
      const anonymous = await new Client(t.url).request(e.method, e.path(ids), e.body);
      const viaKey = await new Client(t.url).request(e.method, e.path(ids), e.body, { authorization: `Bearer ${adminKey}` });
      seen.push(`${name}: ${anonymous.status} ${viaKey.status}`);
    }
    expect(seen).toEqual(Object.keys(table).map((name) => `${name}: 401 403`));
  }, 60_000);
});
