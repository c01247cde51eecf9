import '../../node-version.ts';

export { PostgresStore, TOUCH_SQL, DEFAULT_POSTGRES_TIMEOUTS, type PostgresStoreOptions, type PostgresTimeouts } from './postgres-store.ts';
export { PgInvalidationChannel, INVALIDATION_CHANNEL, ACK_CHANNEL, LISTENER_PREFIX, type Execute, type PgInvalidationOptions } from './invalidation.ts';
export type { ChannelTuning } from '../confirmed-delivery.ts';
export { postgresMigrations } from './migrations.ts';
export { isConnectionFailure, isTimeout } from './errors.ts';
