// The cart, kept in the browser (a reload or an outage loses nothing) and kept
// within live stock: when a dish runs low the line shrinks and says why.
import { useCallback, useEffect, useState } from 'react';
import { type Cart, type CartAdjustment, addOne, clampToStock, parseCart, setQuantity } from '../cart.js';
import { readJson, writeJson } from '../storage.js';

export interface CartApi {
  lines: Cart;
  /** Lines shrunk by a stock change since the customer last looked. */
  adjustments: CartAdjustment[];
  add(productId: string): void;
  set(productId: string, quantity: number): void;
  clear(): void;
  dismissAdjustments(): void;
}

export function useCart(stock: ReadonlyMap<string, number>): CartApi {
  const [lines, setLines] = useState<Cart>(() => readJson('cart', parseCart) ?? []);
  const [adjustments, setAdjustments] = useState<CartAdjustment[]>([]);

  useEffect(() => writeJson('cart', lines.length > 0 ? lines : null), [lines]);

  useEffect(() => {
    if (stock.size === 0) return; // the menu has not loaded yet
    const clamped = clampToStock(lines, stock);
    if (clamped.adjustments.length === 0) return;
    setLines(clamped.cart);
    setAdjustments((previous) => [...previous.filter((a) => !clamped.adjustments.some((b) => b.productId === a.productId)), ...clamped.adjustments]);
  }, [lines, stock]);

  const available = useCallback((productId: string) => stock.get(productId) ?? 0, [stock]);
  return {
    lines,
    adjustments,
    add: useCallback((productId) => setLines((cart) => addOne(cart, productId, available(productId))), [available]),
    set: useCallback((productId, quantity) => setLines((cart) => setQuantity(cart, productId, quantity, available(productId))), [available]),
    clear: useCallback(() => setLines([]), []),
    dismissAdjustments: useCallback(() => setAdjustments([]), []),
  };
}
