// Idempotency keys: a client's promise that a request sent again under the
// same key is the same request. The primary keeps, for each key of each
// customer, a hash of the request it came with and the answer it got, as
// part of the write (so every backup has it, and a new primary answers the
// same). A retry with the same request gets the first answer; the same key
// with another request is refused (IDEMPOTENCY_KEY_REUSED) and changes
// nothing: answering it with the first request's result would tell a
// customer that an order they did not place was placed.
//
// Keys are taken exactly as sent (" k " and "k" are two keys), 1 to
// IDEMPOTENCY_KEY_CHARS_MAX characters, with no control characters. Refused
// requests are not remembered: a retry of one is checked afresh.
import { createHash } from 'node:crypto';
import { IDEMPOTENCY_KEY_CHARS_MAX } from './limits.ts';
import { unstorableText } from './text.ts';
import { type Outcome, type UserError, fail, ok, userError } from './types.ts';

/** A key as the primary records it: whose (a customer id, or ANONYMOUS for sign-ups), which key, and the request's hash. */
export interface KeyedRequest {
  scope: string;
  key: string;
  requestHash: string;
}

/** What a key was first used for: the request's hash and the answer it got. */
export interface Remembered {
  requestHash: string;
  result: unknown;
}

/** The scope of keys sent without a customer (creating one). */
export const ANONYMOUS = '';

/** The key as sent, or the user's error. */
export function validateIdempotencyKey(key: string): Outcome<string> {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_CHARS_MAX) {
    return fail(userError('INVALID_INPUT', `idempotencyKey must be 1 to ${IDEMPOTENCY_KEY_CHARS_MAX} characters.`, ['idempotencyKey']));
  }
  const error = unstorableText(key, 'idempotencyKey', ['idempotencyKey']);
  return error ? fail(error) : ok(key);
}

/**
 * A hash of what a request asks for: every field but the key itself, in a
 * canonical JSON (object keys sorted; arrays, such as an order's lines, in
 * the order sent). A keyed sign-up's token hash is part of it: the gateway
 * derives that token from the key, so a retry carries the same one, and a
 * customer whose token was derived otherwise (another cluster secret) is
 * never handed out with a token that is not theirs.
 */
export function requestHash(request: Record<string, unknown>): string {
  const { idempotencyKey: _key, ...asked } = request;
  return createHash('sha256').update(canonicalJson(asked)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function keyReused(): UserError {
  return userError(
    'IDEMPOTENCY_KEY_REUSED',
    'This idempotencyKey was already used for a different request: nothing was changed. Use a new key for a new request, and the same key only to send the same request again.',
    ['idempotencyKey'],
  );
}
