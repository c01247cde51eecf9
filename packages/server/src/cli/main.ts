import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SessionManager, isSeshatError, roleBasedPolicy, type Store, type StoreScope } from 'seshat';
import { createServer, ensureAdmin } from '../app.ts';
import { loadConfig } from '../config.ts';
import { describeDatabase, openStore } from '../open-store.ts';
import { generatePassword } from '../passwords.ts';
import { UserDirectory } from '../users.ts';
import { progressReporter, table } from './output.ts';

const USAGE = `Usage: seshat <command> [options]

Commands:
  serve                                   Start the server (PORT, HOST, DATABASE_URL from the environment)
  migrate                                 Apply pending database migrations
  users create --email E --name N [--role user|admin] [--password P]
                                          Create an account (a password is generated and printed if omitted)
  users list                              List accounts
  sessions list --user <id|email> [--json]
                                          A user's active sessions
  sessions gc [--batch-size N]            Delete expired and revoked sessions in batches (default 1000)
  sessions invalidate-all [--yes] [--reason R]
                                          Sign out every session (asks first unless --yes)

Environment: DATABASE_URL (default sqlite:./data/seshat.db), see README for the rest.`;

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve();
      case 'migrate':
        return await withStore(migrate);
      case 'users':
        if (sub === 'create') return await withStore((store) => createUser(store, rest));
        if (sub === 'list') return await withStore(listUsers);
        break;
      case 'sessions':
        if (sub === 'list') return await withStore((store) => listSessions(store, rest));
        if (sub === 'gc') return await withStore((store) => collectGarbage(store, rest));
        if (sub === 'invalidate-all') return await withStore((store) => invalidateAll(store, rest));
        break;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
    }
    throw new UsageError(`Unknown command: ${argv.join(' ')}`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof z.ZodError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`seshat: ${error instanceof z.ZodError ? z.prettifyError(error) : error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`seshat: ${isSeshatError(error) || error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

const started: SessionManager<StoreScope>[] = [];

async function withStore(work: (store: Store) => Promise<number>): Promise<number> {
  const store = await openStore(loadConfig().databaseUrl);
  try {
    await store.migrate();
    return await work(store);
  } finally {
    for (const manager of started.splice(0)) await manager.stop();
    await store.close();
  }
}

/** A manager for one command. On PostgreSQL it publishes its revocations to the running servers' caches. */
async function managerFor(store: Store): Promise<SessionManager<StoreScope>> {
  const channel = store.createInvalidationChannel?.({ nodeId: `cli/${process.pid}` });
  const manager = await new SessionManager<StoreScope>({ store, policy: roleBasedPolicy(['admin']), ...(channel ? { channel } : {}) }).start();
  started.push(manager);
  return manager;
}

async function serve(): Promise<number> {
  const config = loadConfig();
  const server = await createServer({ config });
  await ensureAdmin(server, (line) => console.log(line));
  const address = await server.app.listen({ port: config.port, host: config.host });
  console.log(`Seshat is listening on ${address} (${describeDatabase(config.databaseUrl)}); open ${config.port === 0 ? address : config.publicUrl}`);
  const stop = async (signal: string) => {
    server.app.log.info(`${signal}: shutting down`);
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise(() => {}); // runs until a signal
}

async function migrate(store: Store): Promise<number> {
  // withStore has migrated already; report what the schema is at.
  console.log(`Database is up to date (${store.dialect}).`);
  return 0;
}

async function createUser(store: Store, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } }, strict: true });
  if (!values.email) throw new UsageError('--email is required');
  const manager = await managerFor(store);
  const password = values.password ?? generatePassword();
  const user = await new UserDirectory(store, manager).create({
    email: values.email,
    name: values.name ?? values.email.split('@')[0]!,
    role: z.enum(['user', 'admin']).parse(values.role ?? 'user'),
    password,
  });
  console.log(`Created ${user.role} ${user.email} (${user.id}).`);
  if (!values.password) console.log(`Password: ${password}`);
  return 0;
}

async function listUsers(store: Store): Promise<number> {
  const users = await store.listUsers();
  console.log(table(users.map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role })), ['id', 'email', 'name', 'role']));
  return 0;
}

async function findUserId(store: Store, idOrEmail: string): Promise<string> {
  const user = idOrEmail.includes('@') ? await store.findUserByEmail(idOrEmail) : await store.findUserById(idOrEmail);
  // Sessions may belong to ids the server has no account for (library use): fall back to the raw id.
  return user?.id ?? idOrEmail;
}

async function listSessions(store: Store, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { user: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  if (!values.user) throw new UsageError('--user is required');
  const manager = await managerFor(store);
  const userId = await findUserId(store, values.user);
  const sessions = await manager.listOwnSessions({ userId });
  if (values.json) {
    console.log(JSON.stringify(sessions.map(({ secretHash: _omit, ...s }) => s), null, 2));
    return 0;
  }
  const rows = sessions.map((s) => ({
    id: s.id,
    device: s.device.label,
    ip: s.ip ?? '',
    location: s.location ? [s.location.city, s.location.country].filter(Boolean).join(', ') : '',
    created: new Date(s.createdAt).toISOString(),
    'last active': new Date(s.lastActiveAt).toISOString(),
    remembered: s.persistent ? 'yes' : 'no',
  }));
  console.log(table(rows, ['id', 'device', 'ip', 'location', 'created', 'last active', 'remembered']));
  console.log(`${sessions.length} active session${sessions.length === 1 ? '' : 's'} for ${values.user}.`);
  return 0;
}

async function collectGarbage(store: Store, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'batch-size': { type: 'string' } }, strict: true });
  const batchSize = z.coerce.number().int().min(1).max(100_000).parse(values['batch-size'] ?? 1000);
  const manager = await managerFor(store);
  const progress = progressReporter('Scanning sessions');
  const result = await manager.collectGarbage({ batchSize, onProgress: (p) => progress.update(p.scanned, p.total, `— ${p.deleted.toLocaleString('en')} deleted`) });
  progress.done();
  console.log(`Deleted ${result.deleted.toLocaleString('en')} expired or revoked sessions (scanned ${result.scanned.toLocaleString('en')}).`);
  return 0;
}

async function invalidateAll(store: Store, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { yes: { type: 'boolean', short: 'y' }, reason: { type: 'string' } }, strict: true });
  const manager = await managerFor(store);
  const active = await manager.countActiveSessions();
  if (!values.yes) {
    if (!process.stdin.isTTY) throw new UsageError('Refusing to sign everyone out without confirmation: pass --yes.');
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question(`Sign out all ${active} active sessions? Everyone will have to sign in again. Type "yes" to continue: `);
    rl.close();
    if (answer.trim().toLowerCase() !== 'yes') {
      console.log('Nothing changed.');
      return 1;
    }
  }
  const count = await manager.revokeAllSessions(null, values.reason ?? 'invalidate-all from the CLI');
  console.log(`Signed out ${count} session${count === 1 ? '' : 's'}.`);
  return 0;
}
