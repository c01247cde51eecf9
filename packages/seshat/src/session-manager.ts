import type { SessionScope } from './core/ports.ts';
import { SessionManager as CoreSessionManager, type SessionManagerOptions } from './core/session-manager.ts';
import { addressDescriber, deviceEnricher } from './enrich.ts';
import { anonymizeIp } from './geo/index.ts';

/**
 * The session service: creation, validation (the hot path), listing, revocation and garbage collection.
 *
 * This is the core's `SessionManager` with the library's defaults: without an `enrich` option every new
 * session is described by its device (browser, OS, device type, from the User-Agent and client hints), so
 * a session list never reads "Unknown device" out of the box. Location and risk signals are one option
 * more: `enrich: sessionEnricher({ store })`. The core itself stays free of the device parser (it imports
 * no third-party code but zod), which is why the default is applied here, at the public entry.
 */
export class SessionManager<S extends SessionScope = SessionScope> extends CoreSessionManager<S> {
  constructor(options: SessionManagerOptions<S>) {
    super({
      ...options,
      enrich: options.enrich ?? deviceEnricher,
      describeAddress: options.describeAddress ?? addressDescriber(),
      anonymize: options.anonymize ?? ((ip) => anonymizeIp(ip)),
    });
  }
}
