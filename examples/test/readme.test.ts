import { expect, it } from 'vitest';
import { QUOTING_FILES, quotedExamples } from '../../scripts/readme-examples.ts';

it('the README quotes the example files verbatim (npm run docs:readme rewrites them)', () => {
  const examples = quotedExamples();
  expect(examples.map((e) => e.file)).toEqual(expect.arrayContaining(['examples/express.ts', 'examples/fastify.ts', 'examples/hono.ts', 'examples/testing.test.ts']));
  for (const { file, quoted, actual } of examples) expect(quoted, `README block for ${file}`).toBe(actual);
});

it("the library package's README quotes the minimal example verbatim", () => {
  const examples = quotedExamples(QUOTING_FILES[1]);
  expect(examples.map((e) => e.file)).toEqual(['examples/minimal.ts']);
  for (const { file, quoted, actual } of examples) expect(quoted, `packages/seshat/README.md block for ${file}`).toBe(actual);
});
