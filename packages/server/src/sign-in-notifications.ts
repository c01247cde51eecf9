import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { SeshatError, type SessionManager, type SessionRecord, type Store, type StoreScope } from 'seshat';
import type { UserDirectory } from './users.ts';

/** How the sign-in notifier is set up (env: SESHAT_SMTP_URL, SESHAT_SMTP_FROM, SESHAT_LINK_SECRET…). */
export interface NotificationConfig {
  /** `smtp://user:pass@host:587` or `smtps://…`; unset = no e-mail is sent (the admin settings page says so). */
  smtpUrl: string | undefined;
  from: string;
  /** E-mails per user per hour, at most (per node). */
  perHour: number;
  /** Signs the "This wasn't me" links; set the same value on every node, or links only work on the node that sent them. */
  linkSecret: string;
  linkTtlMs: number;
  publicUrl: string;
}

type Language = 'en' | 'de' | 'es';

const texts: Record<Language, { subject: string; intro: string; device: string; place: string; time: string; notMe: string; ignore: string }> = {
  en: {
    subject: 'New sign-in to your account',
    intro: 'Your account was just signed in to from a device or place we had not seen before.',
    device: 'Device', place: 'Approximate place', time: 'Time',
    notMe: "This wasn't me",
    ignore: 'If this was you, there is nothing to do. If not, use the link: it signs out every session of your account and asks for a new password. It works once, for 24 hours, without signing in.',
  },
  de: {
    subject: 'Neue Anmeldung bei Ihrem Konto',
    intro: 'Ihr Konto wurde soeben von einem Gerät oder Ort angemeldet, den wir noch nicht kannten.',
    device: 'Gerät', place: 'Ungefährer Ort', time: 'Zeit',
    notMe: 'Das war ich nicht',
    ignore: 'Wenn Sie das waren, ist nichts zu tun. Wenn nicht, nutzen Sie den Link: Er meldet alle Sitzungen Ihres Kontos ab und verlangt ein neues Passwort. Er funktioniert einmal, 24 Stunden lang, ohne Anmeldung.',
  },
  es: {
    subject: 'Nuevo inicio de sesión en tu cuenta',
    intro: 'Se acaba de iniciar sesión en tu cuenta desde un dispositivo o lugar que no conocíamos.',
    device: 'Dispositivo', place: 'Lugar aproximado', time: 'Hora',
    notMe: 'No fui yo',
    ignore: 'Si fuiste tú, no hay nada que hacer. Si no, usa el enlace: cierra todas las sesiones de tu cuenta y pide una contraseña nueva. Funciona una vez, durante 24 horas, sin iniciar sesión.',
  },
};

/** The language of an Accept-Language header among the ones the e-mail is written in (English otherwise). */
export function pickLanguage(header: string | undefined): Language {
  for (const part of (header ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().toLowerCase().slice(0, 2);
    if (tag === 'en' || tag === 'de' || tag === 'es') return tag;
  }
  return 'en';
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * "New sign-in" e-mails (issue #10 item 5): on `session.new-device` and `session.suspicious`, at most `perHour` per
 * user per node, in the language the sign-in's browser asked for, HTML and plain text, with a signed link that
 * works signed out. The link names the new session and expires; it is single-use because using it ends that session,
 * and a link whose session has ended is refused.
 */
export class SignInNotifier {
  readonly #config: NotificationConfig;
  readonly #users: UserDirectory;
  readonly #store: Store;
  readonly #manager: SessionManager<StoreScope>;
  readonly #transport: Transporter | null;
  readonly #sent = new Map<string, number[]>();
  readonly #languages = new Map<string, Language>();
  readonly #notified = new Set<string>();
  readonly #onError: (error: unknown) => void;

  constructor(options: { config: NotificationConfig; users: UserDirectory; store: Store; manager: SessionManager<StoreScope>; onError: (error: unknown) => void }) {
    this.#config = options.config;
    this.#users = options.users;
    this.#store = options.store;
    this.#manager = options.manager;
    this.#onError = options.onError;
    this.#transport = options.config.smtpUrl ? nodemailer.createTransport(options.config.smtpUrl) : null;
    const later = (session: SessionRecord) => setImmediate(() => void this.notify(session).catch(this.#onError));
    this.#manager.events.on('session.new-device', later);
    this.#manager.events.on('session.suspicious', later);
  }

  get configured(): boolean {
    return this.#transport !== null;
  }

  get from(): string {
    return this.#config.from;
  }

  /** The sign-in route says which language the browser asked for (before the deferred notification runs). */
  rememberLanguage(sessionId: string, acceptLanguage: string | undefined): void {
    this.#languages.set(sessionId, pickLanguage(acceptLanguage));
    if (this.#languages.size > 1000) this.#languages.delete(this.#languages.keys().next().value!);
  }

  /** Sends the e-mail for one sign-in (once per session, within the per-user rate). True if sent. */
  async notify(session: SessionRecord): Promise<boolean> {
    if (!this.#transport || this.#notified.has(session.id)) return false;
    this.#notified.add(session.id);
    if (this.#notified.size > 10_000) this.#notified.delete(this.#notified.values().next().value!);
    const now = this.#manager.clock.now();
    const recent = (this.#sent.get(session.userId) ?? []).filter((at) => now - at < 3_600_000);
    if (recent.length >= this.#config.perHour) return false;
    const user = await this.#users.find(session.userId);
    if (!user) return false;
    recent.push(now);
    this.#sent.set(session.userId, recent);
    const language = this.#languages.get(session.id) ?? 'en';
    this.#languages.delete(session.id);
    const t = texts[language];
    const link = `${this.#config.publicUrl.replace(/\/$/, '')}/not-me?token=${this.linkToken(session, now)}`;
    const place = session.location ? [session.location.city, session.location.region, session.location.country].filter(Boolean).join(', ') : '—';
    const time = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(now) + ' UTC';
    const rows: [string, string][] = [[t.device, session.device.label], [t.place, `${place}${session.ip ? ` (${session.ip})` : ''}`], [t.time, time]];
    await this.#transport.sendMail({
      from: this.#config.from,
      to: user.email,
      subject: t.subject,
      text: `${t.intro}\n\n${rows.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${t.notMe}: ${link}\n\n${t.ignore}\n`,
      html: `<!doctype html><html lang="${language}"><body><p>${escape(t.intro)}</p><table>${rows.map(([k, v]) => `<tr><th align="left">${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')}</table><p><a href="${escape(link)}">${escape(t.notMe)}</a></p><p>${escape(t.ignore)}</p></body></html>`,
    });
    return true;
  }

  /** `<payload>.<HMAC>`: the session, its user and the expiry, signed with the link secret. */
  linkToken(session: Pick<SessionRecord, 'id' | 'userId'>, now: number): string {
    const payload = Buffer.from(JSON.stringify({ s: session.id, u: session.userId, e: now + this.#config.linkTtlMs, n: randomBytes(8).toString('base64url') })).toString('base64url');
    return `${payload}.${this.#mac(payload)}`;
  }

  #mac(payload: string): string {
    return createHmac('sha256', this.#config.linkSecret).update(payload).digest('base64url');
  }

  /**
   * "This wasn't me" from the e-mail, signed out: ends every session of the account (the reported one included), requires
   * a new password before anything else, and records `session.reported`, in one transaction. Refused when the link
   * is forged, expired or used (its session already ended).
   */
  async reportByLink(token: string, ip: string | null): Promise<{ revoked: number }> {
    const [payload, mac] = token.split('.');
    const expected = payload ? this.#mac(payload) : '';
    if (!payload || !mac || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) {
      throw new SeshatError('not_found', 'This link is not valid.');
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; u: string; e: number };
    if (this.#manager.clock.now() > claims.e) throw new SeshatError('conflict', 'This link has expired. Sign in and review your sessions instead.');
    const reported = await this.#store.findSession(claims.s);
    if (!reported || reported.userId !== claims.u || reported.revokedAt !== null) {
      throw new SeshatError('conflict', 'This link was already used, or that session has already ended.');
    }
    // Exactly what "This wasn't me" does from a session (one core method), from outside any session: every session
    // and API key ends and the password must be replaced.
    const { revoked } = await this.#manager.reportSession({ userId: claims.u, ip }, reported.id, 'e-mail link');
    return { revoked };
  }
}
