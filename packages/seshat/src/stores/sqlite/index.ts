import '../../node-version.ts';

export { SqliteStore } from './sqlite-store.ts';
export { sqliteMigrations } from './migrations.ts';
export { SqliteChangeChannel } from './invalidation.ts';
