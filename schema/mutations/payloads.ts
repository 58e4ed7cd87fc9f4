// Mutation payloads: the result, or the user's errors (never a thrown error).
import type { Order, Outcome, UserError } from '../../replicas/domain/types.ts';
import { builder } from '../builder.ts';
import { UserErrorRef } from '../types/errors.ts';
import { OrderRef } from '../types/order.ts';

export const notAuthenticated = (): Outcome<never> => ({
  ok: false,
  errors: [{ code: 'NOT_AUTHENTICATED', message: 'Sign in first: send "Authorization: Bearer <token>" from saveContactDetails.' } satisfies UserError],
});

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
