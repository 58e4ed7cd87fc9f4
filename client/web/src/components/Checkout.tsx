// Checkout: review the cart, choose delivery and a tip, see the full cost from
// `orderQuote`, place the order. One idempotency key per checkout: a double
// click, a retried request or a reload mid-request returns the same order.
// The costs shown are always one quote's, for the choices on screen: while a
// new one is on its way the summary says it is updating.
import { useMemo, useRef, useState } from 'react';
import { useMutation } from 'urql';
import { PlaceOrderMutation } from '../../../operations.js';
import { sortErrors, type UserError } from '../errors.js';
import type { CartApi } from '../hooks/useCart.js';
import type { Menu } from '../hooks/useMenu.js';
import type { Order } from '../hooks/useOrders.js';
import { useQuote } from '../hooks/useQuote.js';
import { checkoutKeyStore } from '../storage.js';
import { Cart } from './Cart.js';
import { DeliveryOptions } from './DeliveryOptions.js';
import { Costs } from './OrderSummary.js';
import { type Tip, TipPicker, tipMinorUnits } from './TipPicker.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PageTitle } from './PageTitle.js';

interface CheckoutProps {
  menu: Menu;
  cart: CartApi;
  onPlaced(order: Order): void;
  onBack(): void;
}

export function Checkout({ menu, cart, onPlaced, onBack }: CheckoutProps) {
  const [deliveryOptionId, setDeliveryOptionId] = useState<string | null>(null);
  const delivery = deliveryOptionId ?? menu.deliveryOptions[0]?.id ?? null;
  const [tip, setTip] = useState<Tip>({ kind: 'none' });
  const [errors, setErrors] = useState<UserError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [placing, place] = useMutation(PlaceOrderMutation);
  const inFlight = useRef(false);

  // The tip as a share needs the subtotal: price the cart alone first (the menu's cart asks the same question).
  const subtotal = useQuote({ lines: cart.lines });
  const subtotalMinor = subtotal.quote?.subtotal.minorUnits ?? null;
  const tipMinor = tip.kind === 'percent' && subtotalMinor === null ? null : tipMinorUnits(tip, subtotalMinor ?? 0);
  const tipValue = tipMinor && 'minor' in tipMinor ? tipMinor.minor : 0;
  const full = useQuote({ lines: cart.lines, deliveryOptionId: delivery, tipMinorUnits: tipValue }, { pause: tipMinor === null });
  const quote = full.quote;
  // While the tip waits on the subtotal, the subtotal's question is the one to wait on or explain (a dish sold out, say).
  const asked = tipMinor === null ? subtotal : full;
  const tipError = tipMinor && 'error' in tipMinor ? tipMinor.error : undefined;

  // Lines sent with the last attempt, to put an error like lines.1.quantity next to its dish.
  const sentLines = useRef(cart.lines);
  const sorted = useMemo(() => sortErrors(errors, ['deliveryOptionId', 'tipMinorUnits', ...sentLines.current.map((_, i) => `lines.${i}.quantity`)]), [errors]);
  const lineErrors: Record<string, string> = {};
  sentLines.current.forEach((line, i) => {
    const message = sorted.byField[`lines.${i}.quantity`];
    if (message) lineErrors[line.productId] = message;
  });

  async function submit() {
    if (inFlight.current || !delivery || !tipMinor || !('minor' in tipMinor)) return;
    inFlight.current = true;
    setFailure(null);
    sentLines.current = cart.lines;
    try {
      const request = { lines: [...cart.lines], deliveryOptionId: delivery, tipMinorUnits: tipMinor.minor };
      const result = await place({ input: { ...request, idempotencyKey: checkoutKeyStore.get(request) } });
      const payload = result.data?.placeOrder;
      if (!payload) {
        setFailure('Your order could not be placed. Nothing was charged; please try again.');
        return;
      }
      setErrors(payload.errors);
      if (payload.order) {
        checkoutKeyStore.clear();
        onPlaced(payload.order);
      }
    } finally {
      inFlight.current = false;
    }
  }

  if (cart.lines.length === 0) {
    return (
      <section className="card" aria-labelledby="checkout-title">
        <PageTitle id="checkout-title" title="Checkout" />
        <p className="muted">Your cart is empty.</p>
        <button type="button" className="button button--primary" onClick={onBack}>
          Back to the menu
        </button>
      </section>
    );
  }

  const busy = placing.fetching;
  return (
    <div className="checkout">
      <div className="checkout__main">
        <button type="button" className="link-button back" onClick={onBack}>
          ← Back to the menu
        </button>
        <PageTitle id="checkout-title" title="Checkout" />
        <Cart cart={cart} menu={menu} priced={subtotal} lineErrors={lineErrors} />
        <section className="card">
          <DeliveryOptions options={menu.deliveryOptions} value={delivery} onChange={setDeliveryOptionId} error={sorted.byField.deliveryOptionId} />
        </section>
        <section className="card">
          <TipPicker tip={tip} onChange={setTip} error={tipError ?? sorted.byField.tipMinorUnits} />
        </section>
      </div>
      <aside className="checkout__summary">
        <section className="card" aria-labelledby="summary-title">
          <h2 id="summary-title">Total to pay</h2>
          <div aria-live="polite" aria-busy={asked.pending}>
            {quote ? (
              <Costs
                testId="checkout-costs"
                subtotal={quote.subtotal.formatted}
                deliveryCost={quote.deliveryCost.formatted}
                tip={quote.tip.formatted}
                total={quote.total.formatted}
                deliveryName={menu.deliveryOptions.find((o) => o.id === delivery)?.name}
              />
            ) : (
              asked.pending && <p className="muted">{full.latest ? 'Updating your total…' : 'Working out your total…'}</p>
            )}
          </div>
          {(failure || sorted.general.length > 0 || asked.errors.length > 0) && (
            <ErrorNotice>{failure ?? [...sorted.general, ...(errors.length === 0 ? asked.errors : [])].map((e) => e.message).join(' ')}</ErrorNotice>
          )}
          <button
            type="button"
            className="button button--primary button--block button--large"
            onClick={() => void submit()}
            disabled={busy || !quote || tipError !== undefined}
            aria-busy={busy}
          >
            {busy ? 'Placing your order…' : `Place order${quote ? ` · ${quote.total.formatted}` : ''}`}
          </button>
          <p className="field__hint center">You can cancel until the kitchen starts preparing it.</p>
        </section>
      </aside>
    </div>
  );
}
