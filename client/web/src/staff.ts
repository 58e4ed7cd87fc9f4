// What the staff screens know of staff without asking the gateway: whether a
// pasted token can be one at all, and the words for each role.
import type { StaffRole } from '../../gql/graphql.js';

/** Longer than any token `just-hungry staff add` prints; the gateway refuses an Authorization header over 512 characters. */
export const STAFF_TOKEN_CHARS_MAX = 200;

/**
 * Why a pasted text cannot be a staff token, or null when it may be one (the
 * gateway then says whose it is). Checked here because a token goes into an
 * HTTP header: a space or a line break there makes fetch fail the way an
 * unreachable gateway does, and the app would retry it for ever.
 */
export function staffTokenProblem(text: string): string | null {
  if (text === '') return 'Paste the staff token you were given.';
  if (text.startsWith('jh_')) return 'That is a customer’s token. A staff token starts with jhs_.';
  if (!text.startsWith('jhs_') || text.length > STAFF_TOKEN_CHARS_MAX || !/^[\x21-\x7e]+$/.test(text)) return 'That is not a staff token: a staff token starts with jhs_ and has no spaces.';
  return null;
}

export const STAFF_ROLES: readonly StaffRole[] = ['KITCHEN', 'COURIER', 'OPERATOR'];

export const ROLE_WORDS: Record<StaffRole, string> = { KITCHEN: 'Kitchen', COURIER: 'Courier', OPERATOR: 'Operator' };
