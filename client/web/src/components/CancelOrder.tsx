// Cancelling an active order, after saying yes. One idempotency key for every
// attempt at cancelling this order: a retry gets the first answer.
import { useRef, useState } from 'react';
import { useMutation } from 'urql';
import { CancelOrderMutation } from '../../../operations.js';
import type { Order } from '../hooks/useOrders.js';
import { newKey } from '../storage.js';
import { cancellable } from './OrderSummary.js';
import { STATUS_WORDS } from '../lifecycle.js';

export function CancelOrder({ order }: { order: Order }) {
  const [confirming, setConfirming] = useState(false);
  // Focus goes back to "Cancel order" after "Keep order", not to the top of the page.
  const [kept, setKept] = useState(false);
  const [cancelling, cancel] = useMutation(CancelOrderMutation);
  const cancelKey = useRef(newKey());
  const [message, setMessage] = useState<string | null>(null);

  async function confirmCancel() {
    setMessage(null);
    const result = await cancel({ input: { orderId: order.id, idempotencyKey: cancelKey.current } });
    const payload = result.data?.cancelOrder;
    if (!payload?.order) setMessage(payload?.errors.map((e) => e.message).join(' ') || 'The order could not be cancelled. Please try again.');
    setConfirming(false);
  }

  // The order moved on while the customer was deciding (the kitchen started cooking, or rejected it): the question
  // goes, and they are told why, where the focus was (it was on the question).
  const overtaken = confirming && !cancellable(order) && order.status !== 'CANCELLED';

  return (
    <>
      {message && (
        <p className="field__error" role="alert">
          {message}
        </p>
      )}
      {overtaken && !message && (
        <p className="field__error" role="alert" tabIndex={-1} autoFocus>
          Order #{order.id} can no longer be cancelled: it is {STATUS_WORDS[order.status].toLowerCase()}.
        </p>
      )}
      {cancellable(order) && !confirming && (
        <button type="button" className="button button--ghost button--danger" onClick={() => setConfirming(true)} autoFocus={kept}>
          Cancel order
        </button>
      )}
      {cancellable(order) && confirming && (
        <div className="confirm" role="alertdialog" aria-labelledby={`cancel-${order.id}`}>
          <p id={`cancel-${order.id}`}>Cancel order #{order.id}? Your food will not be made.</p>
          <div className="actions">
            <button
              type="button"
              className="button button--ghost"
              onClick={() => {
                setKept(true);
                setConfirming(false);
              }}
              autoFocus
            >
              Keep order
            </button>
            <button type="button" className="button button--danger" onClick={() => void confirmCancel()} disabled={cancelling.fetching} aria-busy={cancelling.fetching}>
              {cancelling.fetching ? 'Cancelling…' : 'Yes, cancel order'}
            </button>
          </div>
        </div>
      )}
    </>
  );
}
