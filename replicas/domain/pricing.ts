// The cost of a cart: subtotal + delivery + tip, in pence. Used for quotes and
// for placing orders, so both always agree.
import {
  type DeliveryOption,
  type Outcome,
  type Product,
  type Quote,
  type QuoteInput,
  type UserError,
  ORDER_LINES_MAX,
  QUANTITY_MAX,
  TIP_MINOR_MAX,
  fail,
  ok,
  userError,
} from './types.ts';
import { tooManyLines } from './order-input.ts';

export interface PricedCart extends Quote {
  deliveryOption: DeliveryOption | null;
}

export function priceCart(
  input: QuoteInput,
  findProduct: (id: string) => Product | null,
  deliveryOptions: DeliveryOption[],
): Outcome<PricedCart> {
  const errors: UserError[] = [];
  if (input.lines.length === 0) errors.push(userError('INVALID_INPUT', 'The cart is empty: add at least one dish.', ['lines']));
  if (input.lines.length > ORDER_LINES_MAX) errors.push(tooManyLines());
  const chosen = new Map<string, { product: Product; quantity: number }>();
  input.lines.slice(0, ORDER_LINES_MAX).forEach((line, i) => {
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > QUANTITY_MAX) {
      errors.push(userError('INVALID_INPUT', `Quantity must be a whole number from 1 to ${QUANTITY_MAX}.`, ['lines', String(i), 'quantity']));
      return;
    }
    const product = findProduct(line.productId);
    if (!product) {
      errors.push(userError('UNKNOWN_PRODUCT', `There is no dish with id "${line.productId}".`, ['lines', String(i), 'productId']));
      return;
    }
    const quantity = (chosen.get(product.id)?.quantity ?? 0) + line.quantity;
    if (quantity > QUANTITY_MAX) {
      errors.push(userError('INVALID_INPUT', `At most ${QUANTITY_MAX} of "${product.name}" per order.`, ['lines', String(i), 'quantity']));
    }
    chosen.set(product.id, { product, quantity });
  });

  let deliveryOption: DeliveryOption | null = null;
  if (input.deliveryOptionId != null) {
    deliveryOption = deliveryOptions.find((o) => o.id === input.deliveryOptionId) ?? null;
    if (!deliveryOption) {
      errors.push(userError('UNKNOWN_DELIVERY_OPTION', `There is no delivery option "${input.deliveryOptionId}".`, ['deliveryOptionId']));
    }
  }
  const tipMinor = input.tipMinorUnits ?? 0;
  if (!Number.isInteger(tipMinor) || tipMinor < 0 || tipMinor > TIP_MINOR_MAX) {
    errors.push(userError('INVALID_INPUT', `A tip must be from £0.00 to £${(TIP_MINOR_MAX / 100).toFixed(2)}.`, ['tipMinorUnits']));
  }
  if (errors.length > 0) return fail(...errors);

  const lines = [...chosen.values()].map(({ product, quantity }) => ({
    productId: product.id,
    productName: product.name,
    quantity,
    unitPriceMinor: product.priceMinor,
    lineTotalMinor: product.priceMinor * quantity,
  }));
  const subtotalMinor = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  const deliveryCostMinor = deliveryOption?.costMinor ?? 0;
  return ok({
    lines,
    subtotalMinor,
    deliveryCostMinor,
    tipMinor,
    totalMinor: subtotalMinor + deliveryCostMinor + tipMinor,
    deliveryOption,
  });
}

/** The quote a customer sees: the priced cart without the internals. */
export function toQuote(cart: PricedCart): Quote {
  const { lines, subtotalMinor, deliveryCostMinor, tipMinor, totalMinor } = cart;
  return { lines, subtotalMinor, deliveryCostMinor, tipMinor, totalMinor };
}
