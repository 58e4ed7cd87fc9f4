// The shape an order request must have before it goes anywhere: ids of 1 to
// ID_CHARS_MAX characters, an idempotency key, at most ORDER_LINES_MAX lines.
// These are the wire schema's limits (protocol.ts uses the same constants):
// the gateway checks them at the GraphQL edge, so a request the replicas
// would refuse is answered at once with the field it is about, and the
// primary checks the key again with the same rule.
import { validateIdempotencyKey } from './idempotency.ts';
import { ID_CHARS_MAX, ORDER_LINES_MAX } from './limits.ts';
import { type Outcome, type QuoteInput, type UserError, fail, ok, userError } from './types.ts';

/** The error for an id no record can have (empty, or over ID_CHARS_MAX), else null. */
export function invalidId(value: string, label: string, field: string[]): UserError | null {
  if (value.length >= 1 && value.length <= ID_CHARS_MAX) return null;
  return userError('INVALID_INPUT', `${label} must be 1 to ${ID_CHARS_MAX} characters.`, field);
}

export const tooManyLines = (): UserError => userError('INVALID_INPUT', `An order can have at most ${ORDER_LINES_MAX} lines.`, ['lines']);


/** A quote's lines and delivery option within the wire's limits, or the user's errors (all at once). */
export function validateQuoteInput<T extends QuoteInput>(input: T): Outcome<T> {
  const errors = cartErrors(input);
  return errors.length > 0 ? fail(...errors) : ok(input);
}

/** An order request within the wire's limits, with a usable key, or the user's errors. */
export function validateOrderRequest<T extends QuoteInput & { idempotencyKey: string }>(input: T): Outcome<T> {
  const key = validateIdempotencyKey(input.idempotencyKey);
  const errors = [...(key.ok ? [] : key.errors), ...cartErrors(input)];
  if (!key.ok || errors.length > 0) return fail(...errors);
  return ok({ ...input, idempotencyKey: key.value });
}

function cartErrors(input: QuoteInput): UserError[] {
  const errors: UserError[] = [];
  if (input.lines.length > ORDER_LINES_MAX) errors.push(tooManyLines());
  // Only the lines an order may have are looked at: the error list stays bounded.
  input.lines.slice(0, ORDER_LINES_MAX).forEach((line, i) => {
    const error = invalidId(line.productId, 'A dish id', ['lines', String(i), 'productId']);
    if (error) errors.push(error);
  });
  if (input.deliveryOptionId != null) {
    const error = invalidId(input.deliveryOptionId, 'A delivery option id', ['deliveryOptionId']);
    if (error) errors.push(error);
  }
  return errors;
}
