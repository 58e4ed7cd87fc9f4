// The cart: dishes and quantities, each line's price and the running total
// from the cluster's quote, and a note when a dish ran low and a line shrank.
// While a new subtotal is on its way the cart says so, rather than show the old one.
import { useEffect, useRef, useState } from 'react';
import { itemCount } from '../cart.js';
import type { CartApi } from '../hooks/useCart.js';
import type { Menu } from '../hooks/useMenu.js';
import type { PricedCart } from '../hooks/useQuote.js';
import { QUANTITY_MAX } from '../cart.js';
import { QuantityStepper } from './QuantityStepper.js';

interface CartProps {
  cart: CartApi;
  menu: Menu;
  /** The price of the cart's lines. */
  priced: PricedCart;
  /** Messages from a failed checkout, by product id. */
  lineErrors?: Record<string, string>;
  onCheckout?: () => void;
}

export function Cart({ cart, menu, priced, lineErrors = {}, onCheckout }: CartProps) {
  const name = (productId: string) => menu.products.find((p) => p.id === productId)?.name ?? productId;
  const count = itemCount(cart.lines);
  // A line removed takes its buttons with it: focus goes to the cart's heading, not to the top of the page.
  const title = useRef<HTMLHeadingElement>(null);
  const [removed, setRemoved] = useState(false);
  useEffect(() => {
    if (!removed) return;
    setRemoved(false);
    title.current?.focus();
  }, [removed]);
  const change = (productId: string) => (quantity: number) => {
    if (quantity === 0) setRemoved(true);
    cart.set(productId, quantity);
  };
  return (
    <section className="card cart" aria-labelledby="cart-title">
      <h2 id="cart-title" ref={title} tabIndex={-1}>
        Your order <span className="cart__count">{count === 1 ? '1 item' : `${count} items`}</span>
      </h2>
      {cart.adjustments.length > 0 && (
        <div className="notice notice--warning" role="status">
          <ul>
            {cart.adjustments.map((a) => (
              <li key={a.productId}>
                {a.to === 0 ? `${name(a.productId)} sold out and was removed from your cart.` : `Only ${a.to} ${name(a.productId)} left: your cart now has ${a.to}.`}
              </li>
            ))}
          </ul>
          <button type="button" className="link-button" onClick={cart.dismissAdjustments}>
            OK
          </button>
        </div>
      )}
      {cart.lines.length === 0 ? (
        <p className="muted cart__empty">Your cart is empty. Add a dish from the menu to get started.</p>
      ) : (
        <ul className="cart__lines">
          {cart.lines.map((line) => {
            // A line's own price holds while it is unchanged, even when another line is being repriced.
            const lineQuote = priced.latest?.lines.find((l) => l.product.id === line.productId && l.quantity === line.quantity);
            const stock = menu.stock.get(line.productId) ?? 0;
            return (
              <li key={line.productId} className="cart__line" data-testid={`cart-line-${line.productId}`}>
                <span className="cart__name">{name(line.productId)}</span>
                <QuantityStepper name={name(line.productId)} quantity={line.quantity} max={Math.min(stock, QUANTITY_MAX)} onChange={change(line.productId)} />
                <span className="cart__price" aria-busy={!lineQuote}>
                  {lineQuote?.lineTotal.formatted ?? '…'}
                </span>
                {lineErrors[line.productId] && (
                  <p className="field__error cart__error" role="alert">
                    {lineErrors[line.productId]}
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {cart.lines.length > 0 && (
        <p className="cart__subtotal" aria-live="polite" aria-busy={priced.pending}>
          <span>Subtotal</span>
          <strong className={priced.quote ? undefined : 'updating'} data-testid="cart-subtotal">
            {priced.quote?.subtotal.formatted ?? (priced.pending ? 'Updating…' : '—')}
          </strong>
        </p>
      )}
      {onCheckout && (
        <button type="button" className="button button--primary button--block" onClick={onCheckout} disabled={cart.lines.length === 0}>
          Go to checkout
        </button>
      )}
    </section>
  );
}

/** On a phone the cart sits below the menu: this bar at the bottom jumps to checkout. `total` is null while it is being updated. */
export function CartBar({ count, total, onCheckout }: { count: number; total: string | null; onCheckout(): void }) {
  if (count === 0) return null;
  return (
    <div className="cart-bar">
      <button type="button" className="button button--primary button--block" onClick={onCheckout}>
        <span>
          View order · {count === 1 ? '1 item' : `${count} items`}
        </span>
        <span>{total ?? ''}</span>
      </button>
    </div>
  );
}
