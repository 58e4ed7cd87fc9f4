// The cart as plain data, with pure rules so they can be tested alone: a line
// never holds more than the dish's stock, nor more than QUANTITY_MAX.
export const QUANTITY_MAX = 99;
/** Most different dishes in one cart (the cluster accepts up to 50 lines). */
export const CART_LINES_MAX = 50;

export interface CartLine {
  productId: string;
  quantity: number;
}

export type Cart = readonly CartLine[];

/** A line the cart had to shrink because the dish ran low. */
export interface CartAdjustment {
  productId: string;
  from: number;
  to: number;
}

function limit(quantity: number, available: number): number {
  return Math.max(0, Math.min(Math.floor(quantity), QUANTITY_MAX, Math.max(0, available)));
}

export function quantityOf(cart: Cart, productId: string): number {
  return cart.find((line) => line.productId === productId)?.quantity ?? 0;
}

/** Sets a dish's quantity (0 removes it), capped at what is in stock. */
export function setQuantity(cart: Cart, productId: string, quantity: number, available: number): Cart {
  const capped = limit(quantity, available);
  const present = cart.some((line) => line.productId === productId);
  if (!present) {
    return capped > 0 && cart.length < CART_LINES_MAX ? [...cart, { productId, quantity: capped }] : cart;
  }
  if (capped === 0) return cart.filter((line) => line.productId !== productId);
  return cart.map((line) => (line.productId === productId ? { productId, quantity: capped } : line));
}

export function addOne(cart: Cart, productId: string, available: number): Cart {
  return setQuantity(cart, productId, quantityOf(cart, productId) + 1, available);
}

/** Shrinks (or drops) every line that asks for more than is now in stock. */
export function clampToStock(cart: Cart, stock: ReadonlyMap<string, number>): { cart: Cart; adjustments: CartAdjustment[] } {
  const adjustments: CartAdjustment[] = [];
  const next = cart.flatMap((line) => {
    const available = stock.get(line.productId);
    if (available === undefined || line.quantity <= available) return [line];
    adjustments.push({ productId: line.productId, from: line.quantity, to: Math.max(0, available) });
    return available > 0 ? [{ productId: line.productId, quantity: available }] : [];
  });
  return { cart: adjustments.length > 0 ? next : cart, adjustments };
}

export function itemCount(cart: Cart): number {
  return cart.reduce((sum, line) => sum + line.quantity, 0);
}

/** A cart read back from storage: anything malformed is dropped. */
export function parseCart(value: unknown): Cart | null {
  if (!Array.isArray(value)) return null;
  const lines: CartLine[] = [];
  for (const item of value.slice(0, CART_LINES_MAX)) {
    if (typeof item !== 'object' || item === null) continue;
    const { productId, quantity } = item as Record<string, unknown>;
    if (typeof productId !== 'string' || typeof quantity !== 'number' || !Number.isInteger(quantity)) continue;
    if (quantity < 1 || quantity > QUANTITY_MAX || lines.some((l) => l.productId === productId)) continue;
    lines.push({ productId, quantity });
  }
  return lines;
}
