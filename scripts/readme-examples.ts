/**
 * The README quotes example files verbatim between markers:
 *
 *     <!-- example: examples/express.ts -->
 *     ```ts
 *     …the file…
 *     ```
 *     <!-- /example -->
 *
 * `node scripts/readme-examples.ts` rewrites the blocks from the files (`npm run docs:readme`);
 * examples/test/readme.test.ts fails when they differ, so the README never shows code that was not compiled and run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const BLOCK = /<!-- example: (\S+) -->\n```(\w+)\n([\s\S]*?)```\n<!-- \/example -->/g;

export interface QuotedExample {
  file: string;
  quoted: string;
  actual: string;
}

/** Every quoted example of a markdown file, with the file's current text. */
export function quotedExamples(markdownPath = join(ROOT, 'README.md')): QuotedExample[] {
  return [...readFileSync(markdownPath, 'utf8').matchAll(BLOCK)].map((m) => ({ file: m[1]!, quoted: m[3]!, actual: readFileSync(join(ROOT, m[1]!), 'utf8') }));
}

/** Rewrites every quoted block from its file. */
export function writeQuotedExamples(markdownPath = join(ROOT, 'README.md')): void {
  const text = readFileSync(markdownPath, 'utf8');
  writeFileSync(markdownPath, text.replace(BLOCK, (_all, file: string, lang: string) => `<!-- example: ${file} -->\n\`\`\`${lang}\n${readFileSync(join(ROOT, file), 'utf8')}\`\`\`\n<!-- /example -->`));
}

/** The markdown files that quote examples: the project README and the library package's own (shown on npm). */
export const QUOTING_FILES = [join(ROOT, 'README.md'), join(ROOT, 'packages/seshat/README.md')];

if (import.meta.main) {
  for (const file of QUOTING_FILES) {
    writeQuotedExamples(file);
    console.log(`${file.slice(ROOT.length + 1)}: ${quotedExamples(file).length} examples quoted from their files.`);
  }
}
