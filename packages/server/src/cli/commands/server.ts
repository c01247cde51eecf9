import { describeDatabase } from 'seshat';
import { loadConfig } from '../../config.ts';
import type { Command } from '../command.ts';

export const serverCommands: Command[] = [
  {
    path: ['serve'],
    summary: 'Start the server (PORT, HOST, DATABASE_URL from the environment)',
    help: `Creates the database and applies migrations if needed, creates the first admin on an empty database
(SESHAT_ADMIN_EMAIL / SESHAT_ADMIN_PASSWORD, or a generated password printed once), and serves the API and
web UI until SIGINT or SIGTERM. Configuration: see "Configuration (environment)" in the README.`,
    database: 'none',
    async run({ out }) {
      // Loaded here, not at the top: `--help`, `--version` and the other commands need none of the server.
      const { createServer, ensureAdmin } = await import('../../app.ts');
      const config = loadConfig();
      const server = await createServer({ config });
      await ensureAdmin(server, out);
      const address = await server.app.listen({ port: config.port, host: config.host });
      if (server.metricsApp && config.metrics.address) out(`Metrics on ${await server.metricsApp.listen(config.metrics.address)}/metrics`);
      out(`Seshat is listening on ${address} (${describeDatabase(config.databaseUrl)}); open ${config.port === 0 ? address : config.publicUrl}`);
      const stop = async (signal: string) => {
        server.app.log.info(`${signal}: shutting down`);
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return new Promise(() => {}); // runs until a signal
    },
  },
  {
    path: ['migrate'],
    summary: 'Create the database if needed and apply pending migrations',
    help: 'Safe to run on every deploy and from several nodes at once (PostgreSQL migrates under an advisory lock).',
    database: 'create',
    async run({ store: openStore, out }) {
      // The database was opened with `create`, so it is migrated already; report where it stands.
      out(`Database is up to date (${(await openStore()).dialect}).`);
      return 0;
    },
  },
];
