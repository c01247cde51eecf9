import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { App } from './context.ts';

/** Where `npm run build:web` puts the UI. */
export const defaultWebRoot = fileURLToPath(new URL('../web/dist/', import.meta.url));

/**
 * Serves the built React UI at `/`, and `index.html` for client-side routes (`/settings/…`) so a reload
 * or a bookmarked page works. `/api/*` is never answered with the UI: an unknown API route stays a
 * problem+json 404, and so does a missing asset (a path with a file extension).
 * Returns false when the UI is not built, so an API-only server still starts.
 */
export async function registerWebUi(app: App, root: string = defaultWebRoot): Promise<boolean> {
  if (!existsSync(`${root}/index.html`)) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per built file instead of a catch-all: paths that are not files (a 5,000-character id under
    // /api, a client-side route) reach the not-found handler and get its problem+json 404 or index.html.
    wildcard: false,
    // index.html must be revalidated so a new deployment is picked up; hashed assets never change.
    setHeaders(reply, path) {
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return true;
}

/** Whether a path (without query) belongs to the JSON API. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** Operational endpoints that are never a page of the UI, even where they are not served (/metrics on its own listener). */
const serverPaths = new Set(['/metrics', '/healthz']);

export function isClientRoute(method: string, url: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = url.split('?')[0]!;
  if (isApiPath(path) || serverPaths.has(path)) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}
