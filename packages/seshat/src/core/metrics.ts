/** In-process counters, exported by the server as Prometheus text. Plain numbers: no cost on the hot path. */
export class SessionMetrics {
  created = 0;
  expired = 0;
  collected = 0;
  readonly revoked = new Map<string, number>();
  readonly validations = { hit: 0, miss: 0, rejected: 0 };

  /** Adds `n` revocations with this reason. */
  countRevoked(reason: string, n: number): void {
    if (n > 0) this.revoked.set(reason, (this.revoked.get(reason) ?? 0) + n);
  }
}
