// Mutation payloads: the result, or the user's errors (never a thrown error).
import type { Order, Outcome, UserError } from '../../replicas/domain/types.ts';
import { builder } from '../builder.ts';
import { UserErrorRef } from '../types/errors.ts';
import { OrderRef } from '../types/order.ts';

export const notAuthenticated = (): Outcome<never> => ({
  ok: false,
  errors: [{ code: 'NOT_AUTHENTICATED', message: 'Sign in first: send "Authorization: Bearer <token>" from saveContactDetails.' } satisfies UserError],
});

/** What every mutation's idempotency key promises (see replicas/domain/idempotency.ts). */
export const IDEMPOTENCY_KEY_DESCRIPTION =
  'Send the request again with the same key (after a timeout, a dropped connection) and get the first answer; nothing is done twice. ' +
  'The key is bound to the request: the same key with different input is refused with IDEMPOTENCY_KEY_REUSED and changes nothing. ' +
  'Keys are taken exactly as sent (no trimming), 1 to 128 characters without control characters, one namespace per customer; a refused request is not remembered.';

/** Runs a mutation unless this client is over its rate limit. */
export async function limited<T>(mutationAllowed: () => Promise<UserError | null>, run: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  const refusal = await mutationAllowed();
  return refusal ? { ok: false, errors: [refusal] } : run();
}

export function orderPayload(name: string) {
  return builder.objectRef<Outcome<Order>>(name).implement({
    fields: (t) => ({
      order: t.field({ type: OrderRef, nullable: true, resolve: (o) => (o.ok ? o.value : null) }),
      errors: t.field({ type: [UserErrorRef], resolve: (o) => (o.ok ? [] : o.errors) }),
    }),
  });
}
