import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries installed the Debian way (/usr/lib/postgresql/<version>/bin), if any. */
function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A PostgreSQL cluster of the test's own, in a temporary directory on a free port, which the test may stop,
 * crash and restart at will without disturbing the shared server others test against. PostgreSQL refuses to run
 * as root, so when the tests run as root the cluster runs as the `postgres` system user (runuser).
 */
export class ThrowawayPostgres {
  readonly dir: string;
  readonly port: number;
  readonly #bin: string;
  readonly #asPostgres: boolean;

  private constructor(bin: string, dir: string, port: number, asPostgres: boolean) {
    this.#bin = bin;
    this.dir = dir;
    this.port = port;
    this.#asPostgres = asPostgres;
  }

  /** Whether this machine can run one (PostgreSQL server binaries installed). */
  static available(): boolean {
    return postgresBin() !== null;
  }

  /** initdb (trust authentication, no fsync: a test cluster) and start. A few seconds. */
  static async create(): Promise<ThrowawayPostgres> {
    const bin = postgresBin();
    if (!bin) throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql/*/bin: install postgresql to run the fault suite.');
    const dir = mkdtempSync(join(tmpdir(), 'seshat-pg-'));
    const asPostgres = userInfo().uid === 0;
    if (asPostgres) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
      chmodSync(dir, 0o700);
    }
    const cluster = new ThrowawayPostgres(bin, dir, await freePort(), asPostgres);
    await cluster.#run('initdb', ['-D', cluster.#data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    await cluster.start();
    return cluster;
  }

  get #data(): string {
    return join(this.dir, 'data');
  }

  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await this.#run('pg_ctl', ['-D', this.#data, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
  }

  /** `fast`: clients are told (connections end with an error); `immediate`: a crash, no shutdown checkpoint. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.#run('pg_ctl', ['-D', this.#data, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #run(tool: string, args: string[]): Promise<void> {
    const path = join(this.#bin, tool);
    if (this.#asPostgres) await run('runuser', ['-u', 'postgres', '--', path, ...args], { cwd: this.dir });
    else await run(path, args, { cwd: this.dir });
  }
}
