import '../../node-version.ts';

export { RedisStore, type RedisStoreOptions } from './redis-store.ts';
export { RedisInvalidationChannel, type RedisInvalidationOptions } from './invalidation.ts';
export type { ChannelTuning } from '../confirmed-delivery.ts';
export { RedisConnection, describeRedis, type Reply } from './connection.ts';
export type { Script } from './scripts.ts';
export { DEFAULT_REDIS_TIER, type RedisTierOptions } from './options.ts';
