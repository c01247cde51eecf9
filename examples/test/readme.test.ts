import { expect, it } from 'vitest';
import { quotedExamples } from '../../scripts/readme-examples.ts';

it('the README quotes the example files verbatim (npm run docs:readme rewrites them)', () => {
  const examples = quotedExamples();
  expect(examples.map((e) => e.file)).toEqual(expect.arrayContaining(['examples/express.ts', 'examples/fastify.ts', 'examples/hono.ts', 'examples/testing.test.ts']));
  for (const { file, quoted, actual } of examples) expect(quoted, `README block for ${file}`).toBe(actual);
});
