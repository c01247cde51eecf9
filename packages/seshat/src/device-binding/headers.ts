/**
 * The DBSC header fields (spec "DBSC Formats"), written and read as RFC 9651 structured fields. Every value the
 * server puts in them is made of characters that need no escaping (checked), so they are written directly.
 */

/** Registration offer: `Secure-Session-Registration: (ES256 RS256);path="…";challenge="…"`. */
export const REGISTRATION_HEADER = 'secure-session-registration';
/** A fresh challenge for a session: `Secure-Session-Challenge: "…";id="<session id>"`. */
export const CHALLENGE_HEADER = 'secure-session-challenge';
/** The browser's proof (a JWT as an sf-string) on registration and refresh requests. */
export const RESPONSE_HEADER = 'secure-session-response';
/** The session a refresh request is for (an sf-string). */
export const SESSION_ID_HEADER = 'sec-secure-session-id';

/** Printable ASCII without `"` and `\`: an sf-string that needs no escapes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function sfString(value: string): string {
  if (!PLAIN.test(value)) throw new Error(`Not a plain structured-field string: ${JSON.stringify(value)}`);
  return `"${value}"`;
}

/** The registration offer's value. */
export function registrationOffer(algorithms: readonly string[], path: string, challenge: string): string {
  return `(${algorithms.join(' ')});path=${sfString(path)};challenge=${sfString(challenge)}`;
}

/** A `Secure-Session-Challenge` value naming the session it is for. */
export function challengeFor(challenge: string, sessionId: string): string {
  return `${sfString(challenge)};id=${sfString(sessionId)}`;
}

/**
 * The string of an sf-string header (parameters ignored, as the spec asks), or undefined. A bare value without
 * quotes is accepted too: earlier browser builds sent the JWT that way, and a JWT cannot be confused with
 * anything else. Lengths are bounded first: this runs on input from anyone.
 */
export function readSfString(value: string | undefined, maxLength: number): string | undefined {
  if (value === undefined || value.length > maxLength + 2 + 200) return undefined;
  const quoted = /^"([^"\\]*)"(?:;.*)?$/.exec(value.trim());
  const text = quoted ? quoted[1]! : /^[A-Za-z0-9_.~-]+$/.test(value.trim()) ? value.trim() : undefined;
  return text !== undefined && text.length > 0 && text.length <= maxLength ? text : undefined;
}
