import '../../node-version.ts';

export { SqliteStore } from './sqlite-store.ts';
export { sqliteMigrations, type SchemaReader, type SqliteMigration } from './migrations.ts';
export { SqliteChangeChannel } from './invalidation.ts';
