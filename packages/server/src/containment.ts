import { revokeApiKeysOf, type Clock, type ContainmentHook, type StoreScope } from 'seshat';

/**
 * The server's containment rule: whenever a person's sessions are ended to lock someone out (force sign-out,
 * invalidate-all), their API keys end in the same transaction. A key minted with a stolen cookie would
 * otherwise survive every step meant to contain the theft (issue 14.16). Password changes and reported
 * sessions apply the same rule in `UserDirectory`.
 */
export function containApiKeys(clock: Clock): ContainmentHook<StoreScope> {
  return async (change, target, { actor, cause }) => {
    const ids = await revokeApiKeysOf(change, target === 'all' ? 'all' : target.userId, { actor, cause, at: clock.now() });
    // A reported session means someone else may know the password: the next sign-in must replace it.
    if (cause === 'session-reported' && target !== 'all') await change.store.requirePasswordChange(target.userId);
    return ids.length;
  };
}
