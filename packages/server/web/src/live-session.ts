/**
 * Live sign-out (issue #10): one Server-Sent-Events stream per browser, shared by its tabs. The tab holding the
 * Web Lock opens `GET /api/sessions/stream` and relays what it hears over a BroadcastChannel; the others listen
 * there, and one of them takes the lock (and the stream) when the holder closes. One stream per browser matters:
 * the server keeps one per session and a second would replace the first.
 */
import { useEffect, useRef } from 'react';
import { rememberEnding } from './ended.ts';

const CHANNEL = 'seshat-session';
const LOCK = 'seshat-session-stream';

type LiveMessage = { type: 'ended'; reason: string } | { type: 'changed' } | { type: 'rotating'; tab: string; active: boolean };

/**
 * Token rotation in flight (a password change ends the session it is made through and answers with its successor's
 * cookie). The server announces the old session's end on the stream before the browser has the answer, so a check
 * made at that moment would still send the old cookie, be refused and clear it: the browser would sign itself out.
 * While any tab of this browser rotates, an ending waits until the new cookie is in the jar.
 */
const TAB = Math.random().toString(36).slice(2);
const rotatingTabs = new Map<string, number>();
let rotationWaiters: (() => void)[] = [];
const ROTATION_WAIT_MS = 15_000;

function noteRotation(tab: string, active: boolean): void {
  const count = (rotatingTabs.get(tab) ?? 0) + (active ? 1 : -1);
  if (count > 0) rotatingTabs.set(tab, count);
  else rotatingTabs.delete(tab);
  if (rotatingTabs.size === 0) {
    for (const wake of rotationWaiters) wake();
    rotationWaiters = [];
  }
}

/** Resolves once no tab of this browser is rotating its session (or after a bound, should a tab die mid-way). */
function rotationSettled(): Promise<void> {
  if (rotatingTabs.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    rotationWaiters.push(resolve);
    setTimeout(resolve, ROTATION_WAIT_MS);
  });
}

/** Runs a request that replaces this browser's session cookie; live sign-out waits for it (see above). */
export async function whileRotating<T>(work: () => Promise<T>): Promise<T> {
  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel(CHANNEL) : null;
  const tell = (active: boolean) => {
    noteRotation(TAB, active);
    channel?.postMessage({ type: 'rotating', tab: TAB, active } satisfies LiveMessage);
  };
  tell(true);
  try {
    return await work();
  } finally {
    tell(false);
    channel?.close();
  }
}

export interface LiveSessionHandlers {
  /** The session ended (the reason is already remembered for the sign-in banner). */
  onEnded(): void;
  /** The user's sessions changed somewhere: reload lists. */
  onChanged(): void;
  /** The stream was refused or lost for good: ask the server whether the session still exists. */
  onLost(): void;
}

export function useLiveSession(signedIn: boolean, handlers: LiveSessionHandlers): void {
  const current = useRef(handlers);
  current.current = handlers;

  useEffect(() => {
    if (!signedIn || typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(CHANNEL);
    const handle = (message: LiveMessage) => {
      if (message.type === 'rotating') {
        if (message.tab !== TAB) noteRotation(message.tab, message.active);
      } else if (message.type === 'ended') {
        rememberEnding({ endedReason: message.reason });
        current.current.onEnded();
      } else current.current.onChanged();
    };
    channel.onmessage = (event: MessageEvent<LiveMessage>) => handle(event.data);

    // Without Web Locks a stream per tab would make the tabs replace each other's: those browsers keep the
    // check on returning to a tab (App.tsx) instead.
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const abort = new AbortController();
    let source: EventSource | null = null;
    const open = (): void => {
      if (!locks || abort.signal.aborted) return;
      void locks
        .request(LOCK, { signal: abort.signal }, () =>
          new Promise<void>((release) => {
            source = new EventSource('/api/sessions/stream', { withCredentials: true });
            const relay = (message: LiveMessage) => {
              channel.postMessage(message);
              handle(message);
            };
            source.addEventListener('session.ended', (event) => {
              const data = JSON.parse((event as MessageEvent<string>).data) as { reason?: string };
              source?.close();
              // The session this stream watched ended, but this browser may already hold its successor (a password
              // change issues a new cookie): only a refused session check means the browser is signed out.
              void rotationSettled()
                .then(() => fetch('/api/auth/session', { credentials: 'same-origin' }))
                .then((res) => res.ok)
                .catch(() => false)
                .then((stillSignedIn) => {
                  if (stillSignedIn) {
                    relay({ type: 'changed' });
                    release();
                    open(); // follow the new session
                  } else {
                    relay({ type: 'ended', reason: data.reason ?? 'signed-out' });
                    release();
                  }
                });
            });
            source.addEventListener('sessions.changed', () => relay({ type: 'changed' }));
            source.onerror = () => {
              // CLOSED: refused (401, 429…) and not retried by the browser; CONNECTING: it retries by itself.
              if (source?.readyState === EventSource.CLOSED) {
                current.current.onLost();
                release();
              }
            };
            abort.signal.addEventListener('abort', () => {
              source?.close();
              release();
            });
          }),
        )
        .catch(() => {
          // aborted before the lock was granted: this tab was closed or signed out
        });
    };
    open();
    return () => {
      abort.abort();
      source?.close();
      channel.close();
    };
  }, [signedIn]);
}
