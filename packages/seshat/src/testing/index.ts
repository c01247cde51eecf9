/**
 * Test helpers for code built on Seshat, as `seshat/testing` (needs `vitest`, an optional peer dependency):
 * the store contract suite every store must pass (and the invalidation-channel part for stores several processes share), and record factories for store tests. For a fake clock
 * in app tests, use `ManualClock` from `seshat`.
 */
import '../node-version.ts';

export { storeContract, sessionRecord, type StoreFactory } from './store-contract.ts';
export { apiKeyStoreContract, apiKeyRecord } from './api-key-contract.ts';
export { webhookStoreContract, webhookEndpointRecord } from './webhook-contract.ts';
export { deviceBindingStoreContract } from './device-binding-contract.ts';
export { overviewStoreContract } from './overview-contract.ts';
export { DbscClient, parseOffer, type DbscOffer, type DbscSession } from './dbsc-client.ts';
export { invalidationContract, type StorePairFactory } from './invalidation-contract.ts';
