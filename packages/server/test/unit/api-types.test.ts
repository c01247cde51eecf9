import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/api-types.ts';

describe('web UI API types', () => {
  it('are generated from the current OpenAPI document (run `npm run api:types` after changing a route schema)', async () => {
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await apiTypesSource());
  });
});
