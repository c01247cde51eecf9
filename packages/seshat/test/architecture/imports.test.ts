import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layering of ../shared/DESIGN.md and STYLE.md as a test: data flows HTTP → core → store, the core owns its
 * ports and imports no framework or driver, the library never reaches into the server, the server uses only the
 * library's public entry points, and no module imports itself back through a cycle.
 */
const PACKAGES = resolve(import.meta.dirname, '../../..');
const LIBRARY = join(PACKAGES, 'seshat');
const SERVER = join(PACKAGES, 'server');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, type-only ones included (they shape the layering too). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

const packageName = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

function manifest(dir: string): { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; exports: Record<string, unknown> } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** Relative-import graph of one source tree. */
function graph(root: string): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sources(root)) {
    edges.set(file, specifiers(file).filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s)));
  }
  return edges;
}

function findCycle(edges: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next) && edges.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of edges.keys()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('architecture', () => {
  it('has no import cycles in the library or the server', () => {
    for (const root of [join(LIBRARY, 'src'), join(SERVER, 'src'), join(SERVER, 'web/src')]) {
      const cycle = findCycle(graph(root));
      expect(cycle?.map((f) => relative(PACKAGES, f)) ?? null, `cycle under ${relative(PACKAGES, root)}`).toBeNull();
    }
  });

  it('keeps the core free of frameworks, drivers and the layers above it', () => {
    const core = join(LIBRARY, 'src/core');
    const allowedPackages = new Set(['zod']);
    for (const file of sources(core)) {
      for (const s of specifiers(file)) {
        const ok = isBuiltin(s) ? s !== 'node:sqlite' : s.startsWith('.') ? resolve(dirname(file), s).startsWith(core) : allowedPackages.has(packageName(s));
        expect(ok, `${relative(PACKAGES, file)} imports ${s}`).toBe(true);
      }
    }
  });

  it('lets the library import only its own files and its declared dependencies', () => {
    const { dependencies = {}, peerDependencies = {} } = manifest(LIBRARY);
    const declared = new Set([...Object.keys(dependencies), ...Object.keys(peerDependencies)]);
    for (const file of sources(join(LIBRARY, 'src'))) {
      for (const s of specifiers(file)) {
        const ok = isBuiltin(s) || (s.startsWith('.') ? resolve(dirname(file), s).startsWith(join(LIBRARY, 'src')) : declared.has(packageName(s)));
        expect(ok, `${relative(PACKAGES, file)} imports ${s}`).toBe(true);
      }
    }
  });

  it('lets the server use the library only through its public entry points', () => {
    const entries = new Set(Object.keys(manifest(LIBRARY).exports).map((key) => join('seshat', key)));
    const { dependencies = {} } = manifest(SERVER);
    for (const file of [...sources(join(SERVER, 'src')), ...sources(join(SERVER, 'bin'))]) {
      for (const s of specifiers(file)) {
        if (isBuiltin(s)) continue;
        if (s.startsWith('.')) {
          expect(resolve(dirname(file), s).startsWith(SERVER), `${relative(PACKAGES, file)} imports ${s}`).toBe(true);
        } else if (packageName(s) === 'seshat') {
          expect(entries.has(s), `${relative(PACKAGES, file)} imports ${s}, not a public entry of seshat`).toBe(true);
        } else {
          expect(packageName(s) in dependencies, `${relative(PACKAGES, file)} imports ${s}, not a dependency of the server`).toBe(true);
        }
      }
    }
  });
});
