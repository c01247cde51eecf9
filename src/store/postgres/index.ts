export { PostgresStore, type PostgresStoreOptions } from './postgres-store.ts';
export { PgInvalidationChannel, INVALIDATION_CHANNEL, type PgInvalidationOptions } from './invalidation.ts';
export { postgresMigrations } from './migrations.ts';
