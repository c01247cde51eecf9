import { SeshatError } from 'seshat';

/** Placeholder until the NIST rules land (next commit). */
export async function checkNewPassword(password: string, context: { email: string; name: string; current?: string }): Promise<void> {
  if (password.length < 8) throw new SeshatError('invalid_input', 'The new password needs at least 8 characters.');
  if (context.current !== undefined && password === context.current) throw new SeshatError('invalid_input', 'The new password must differ from the current one.');
}
