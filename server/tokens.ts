// Bearer tokens as the gateway knows them: only a token's hash is ever kept
// or sent to the replicas. A customer's token begins "jh_" (made by the
// gateway at sign-up), a member of staff's "jhs_" (made by whoever adds them:
// `just-hungry staff add`, the chaos harness), so the gateway tells them apart
// without a lookup.
import { createHash, randomBytes } from 'node:crypto';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const isStaffToken = (token: string): boolean => token.startsWith('jhs_');

/** A new staff token, and the hash that is all the cluster keeps of it. */
export function newStaffToken(): { token: string; tokenHash: string } {
  const token = `jhs_${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashToken(token) };
}
