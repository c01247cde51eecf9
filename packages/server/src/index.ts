/** The Seshat server as a module: for embedding it, for the benchmark and for the screenshot script. */
export { createServer, ensureAdmin, type SeshatServer, type ServerOptions } from './app.ts';
export { loadConfig, serverEnvSchema, type ServerConfig } from './config.ts';
export { openStore, describeDatabase } from 'seshat';
export { requireSession, requireUser, requireAdmin, type ServerContext } from './context.ts';
export { main as cli } from './cli/main.ts';
