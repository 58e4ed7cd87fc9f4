// Postcode checks: the format first (no call out for a malformed one), then
// postcodes.io `GET /postcodes/{pc}/validate`, with a timeout per attempt, a
// few retries with back-off, and a bounded cache of definite answers. An
// unreachable service is a retryable error that says so, never "invalid".
import { z } from 'zod';
import { normalisePostcode } from '../replicas/domain/contact.ts';
import { userError } from '../replicas/domain/types.ts';
import type { PostcodeCheckResult } from '../schema/services.ts';

export type PostcodeCheckerOptions =
  | { mode: 'offline' }
  | { mode: 'online'; baseUrl: string; timeoutMs?: number; attempts?: number; cacheTtlMs?: number; cacheEntriesMax?: number };

export interface PostcodeChecker {
  check(postcode: string): Promise<PostcodeCheckResult>;
}

const ValidateAnswer = z.object({ result: z.boolean() });
const BACKOFF_MS = [100, 200, 400];

type Answer = 'valid' | 'invalid' | 'unavailable';

export function createPostcodeChecker(options: PostcodeCheckerOptions): PostcodeChecker {
  const cache = new Map<string, { valid: boolean; expiresAtMs: number }>();
  const online = options.mode === 'online' ? options : null;
  const cacheTtlMs = online?.cacheTtlMs ?? 24 * 60 * 60 * 1000;
  const cacheEntriesMax = online?.cacheEntriesMax ?? 10_000;

  async function ask(postcode: string): Promise<Answer> {
    if (!online) return 'valid';
    const cached = cache.get(postcode);
    if (cached && cached.expiresAtMs > Date.now()) return cached.valid ? 'valid' : 'invalid';
    const attempts = online.attempts ?? 3;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt - 1] ?? 400));
      const answer = await askOnce(online.baseUrl, postcode, online.timeoutMs ?? 2000);
      if (answer === 'unavailable') continue;
      if (cache.size >= cacheEntriesMax) cache.delete(cache.keys().next().value ?? '');
      cache.set(postcode, { valid: answer === 'valid', expiresAtMs: Date.now() + cacheTtlMs });
      return answer;
    }
    return 'unavailable';
  }

  return {
    async check(raw) {
      const postcode = normalisePostcode(raw);
      if (!postcode) {
        return { postcode: raw.trim(), valid: false, errors: [userError('INVALID_POSTCODE', `"${raw.trim()}" is not a UK postcode (for example SW1A 1AA).`, ['postcode'])] };
      }
      switch (await ask(postcode)) {
        case 'valid':
          return { postcode, valid: true, errors: [] };
        case 'invalid':
          return { postcode, valid: false, errors: [userError('INVALID_POSTCODE', `${postcode} is not a real UK postcode.`, ['postcode'])] };
        case 'unavailable':
          return {
            postcode,
            valid: false,
            errors: [userError('POSTCODE_SERVICE_UNAVAILABLE', 'The postcode service could not be reached to check your postcode. Nothing is wrong with what you typed: please try again in a moment.', ['postcode'])],
          };
      }
    },
  };
}

async function askOnce(baseUrl: string, postcode: string, timeoutMs: number): Promise<Answer> {
  try {
    const response = await fetch(`${baseUrl}/postcodes/${encodeURIComponent(postcode)}/validate`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status === 404) return 'invalid';
    if (!response.ok) return 'unavailable';
    const parsed = ValidateAnswer.safeParse(await response.json());
    if (!parsed.success) return 'unavailable';
    return parsed.data.result ? 'valid' : 'invalid';
  } catch {
    return 'unavailable';
  }
}
