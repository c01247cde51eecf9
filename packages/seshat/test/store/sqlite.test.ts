import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.ts';
import { storeContract } from 'seshat/testing';

storeContract('sqlite', async () => {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  return store;
});
