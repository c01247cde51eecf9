import '../../node-version.ts';

export { PostgresStore, TOUCH_SQL, type PostgresStoreOptions } from './postgres-store.ts';
export { PgInvalidationChannel, INVALIDATION_CHANNEL, ACK_CHANNEL, LISTENER_PREFIX, type Execute, type PgInvalidationOptions } from './invalidation.ts';
export { postgresMigrations } from './migrations.ts';
export { isConnectionFailure } from './errors.ts';
