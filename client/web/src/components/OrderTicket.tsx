// One order on a staff screen: its number, dishes, how it leaves, how long it
// has waited since it was placed (counting up), where it goes (for couriers),
// and the moves this member of staff may make from its status. Each move is
// sent with an idempotency key; a refusal (the customer cancelled first) is
// handed to the screen, which shows it on the ticket or, once the order has
// left the screen, above the columns.
import { useRef, useState } from 'react';
import { useMutation } from 'urql';
import { MoveOrderMutation } from '../../../operations.js';
import { sortErrors, hasErrorCode } from '../errors.js';
import type { StaffOrder } from '../hooks/useStaffOrders.js';
import { type Move, type Screen, type StaffRole, minutesWaited, movesFor, timeOfDay, waitedWords } from '../lifecycle.js';
import { formatPhone } from '../phone.js';
import { moveKeyStore } from '../storage.js';
import { Field } from './Field.js';

export interface TicketProps {
  order: StaffOrder;
  screen: Screen;
  role: StaffRole;
  now: number;
  /** Why the last move asked for from here was refused, if the order is still where it was then. */
  problem: string | null;
  onMoved(order: StaffOrder): void;
  onRefused(orderId: string, message: string): void;
  /** The gateway refused the staff token itself. */
  onForbidden(): void;
  /** The focus went into the ticket (the screen keeps it in view when the ticket goes). */
  onFocus(): void;
}

/** Long ids are shown by their end, which is what tells today's orders apart. */
export function shortId(id: string): string {
  return id.length > 8 ? `…${id.slice(-6)}` : id;
}

export function OrderTicket({ order, screen, role, now, problem, onMoved, onRefused, onForbidden, onFocus }: TicketProps) {
  const [moving, move] = useMutation(MoveOrderMutation);
  const inFlight = useRef(false);
  const [rejecting, setRejecting] = useState(false);
  // Focus goes back to "Reject" after "Keep", not to the top of the page.
  const [kept, setKept] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>(undefined);
  const moves = movesFor(screen, role, order);
  const id = order.id;
  const titleId = `ticket-${id}-title`;
  const placedAt = order.timeline[0]?.at ?? order.createdAt;
  const waited = minutesWaited(placedAt, now);

  async function send(target: Move, why: string | null) {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const request = { orderId: id, to: target.to, reason: why };
      const result = await move({ input: { ...request, idempotencyKey: moveKeyStore.get(request) } });
      const payload = result.data?.moveOrder;
      if (payload?.order && payload.errors.length === 0) {
        moveKeyStore.clear();
        onMoved(payload.order);
        return;
      }
      if (payload) {
        const sorted = sortErrors(payload.errors, ['reason']);
        setReasonError(sorted.byField['reason']);
        if (sorted.general.length > 0) onRefused(id, sorted.general.map((e) => e.message).join(' '));
        return;
      }
      if (hasErrorCode(result.error, 'FORBIDDEN')) onForbidden();
      onRefused(id, `Order #${id} could not be moved just now. Please try again.`);
    } finally {
      inFlight.current = false;
    }
  }

  const busy = moving.fetching;
  return (
    <li className="card ticket" aria-labelledby={titleId} data-testid={`ticket-${id}`} data-order={id} onFocus={onFocus}>
      <div className="ticket__head">
        <h3 id={titleId} className="ticket__title" tabIndex={-1}>
          Order #{shortId(id)}
        </h3>
        <span className={`badge badge--${order.deliveryOption.fulfilment.toLowerCase()}`}>{order.deliveryOption.fulfilment === 'COLLECTION' ? 'Collection' : 'Delivery'}</span>
      </div>
      <p className="ticket__waited">
        Waiting <strong data-testid="waited">{waitedWords(waited)}</strong> <span className="muted">· placed {timeOfDay(placedAt)}</span>
      </p>
      <ul className="ticket__lines">
        {order.lines.map((line) => (
          <li key={line.product.id}>
            <span className="qty">{line.quantity}×</span> {line.productName}
          </li>
        ))}
      </ul>
      {screen === 'courier' && <DeliverTo order={order} />}
      {problem && (
        <p className="field__error" role="alert">
          {problem}
        </p>
      )}
      {rejecting ? (
        <form
          className="ticket__reject"
          onSubmit={(event) => {
            event.preventDefault();
            const reject = moves.find((m) => m.to === 'REJECTED');
            if (reject) void send(reject, reason);
          }}
          noValidate
        >
          <Field
            id={`reason-${id}`}
            label={`Why is order #${shortId(id)} rejected?`}
            hint="The customer is told."
            value={reason}
            onChange={(value) => {
              setReason(value);
              setReasonError(undefined);
            }}
            error={reasonError}
            autoFocus
          />
          <div className="ticket__actions">
            <button
              type="button"
              className="button button--ghost"
              onClick={() => {
                setKept(true);
                setRejecting(false);
              }}
            >
              Keep
            </button>
            <button type="submit" className="button button--danger" aria-disabled={busy} aria-busy={busy}>
              Reject order
            </button>
          </div>
        </form>
      ) : (
        <div className="ticket__actions">
          {moves.map((target) =>
            target.to === 'REJECTED' ? (
              <button key={target.to} type="button" className="button button--ghost button--danger" onClick={() => setRejecting(true)} autoFocus={kept} aria-label={`Reject order #${id}`}>
                {target.label}
              </button>
            ) : (
              <button
                key={target.to}
                type="button"
                className="button button--primary"
                onClick={() => void send(target, null)}
                aria-disabled={busy}
                aria-busy={busy}
                aria-label={`${target.label} order #${id}`}
              >
                {target.label}
              </button>
            ),
          )}
          {moves.length === 0 && order.status === 'READY' && order.deliveryOption.fulfilment === 'DELIVERY' && <p className="muted">Waiting for a courier.</p>}
        </div>
      )}
    </li>
  );
}

/** Who a delivery goes to and where, with a phone number to tap. */
function DeliverTo({ order }: { order: StaffOrder }) {
  const to = order.deliverTo;
  if (!to) return <p className="muted">No delivery details were kept for this order.</p>;
  return (
    <address className="ticket__address">
      <strong>{to.name}</strong>
      <span>{to.address}</span>
      <span>{to.postcode}</span>
      <a href={`tel:${to.phone}`} className="ticket__phone" aria-label={`Call ${to.name} on ${formatPhone(to.phone)}`}>
        {formatPhone(to.phone)}
      </a>
    </address>
  );
}
