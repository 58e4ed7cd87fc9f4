// A staff screen's columns of orders (the kitchen's New / Accepted / Preparing
// / Ready, the courier's Ready to take out / Out for delivery), live.
//
// Focus: after a move made here, the focus follows the order to its new
// column, onto its ticket's heading (the screen reader says "Order #12", and
// Tab reaches its next move); when the move takes the order off the screen
// (collected, taken out, delivered) it goes to the heading of the column the
// order left. The same happens when an order with the focus in it leaves
// because of someone else (the customer cancelled it): the focus never falls
// to the top of the page.
import { useCallback, useEffect, useRef, useState } from 'react';
import { type StaffMember, useStaff } from '../hooks/useStaff.js';
import { type StaffOrder, useStaffOrders } from '../hooks/useStaffOrders.js';
import { useNow } from '../hooks/useNow.js';
import { type Column, type Screen, intoColumns } from '../lifecycle.js';
import { ErrorNotice } from './ErrorNotice.js';
import { OrderTicket, shortId } from './OrderTicket.js';

/** How often the minutes waited move on. */
const WAITED_TICK_MS = 15_000;

interface Problem {
  message: string;
  /** The order's status when the move was refused: the message stands while it is still there. */
  status: StaffOrder['status'];
}

export function StaffBoard({ screen, member, columns, empty }: { screen: Screen; member: StaffMember; columns: readonly Column[]; empty: string }) {
  const { recheck } = useStaff();
  const view = useStaffOrders(screen, recheck);
  const now = useNow(WAITED_TICK_MS);
  const [problems, setProblems] = useState<ReadonlyMap<string, Problem>>(new Map());
  const board = useRef<HTMLDivElement>(null);
  // Where the focus should go once the screen shows a move made here; and the ticket the focus was last in.
  const pendingFocus = useRef<{ orderId: string; columnId: string } | null>(null);
  const lastFocus = useRef<{ orderId: string; columnId: string } | null>(null);

  const shown = new Map(view.orders.map((o) => [o.id, o]));
  const shownNow = useRef(shown);
  shownNow.current = shown;
  useEffect(() => {
    const root = board.current;
    if (!root) return;
    const heading = (columnId: string) => root.querySelector<HTMLElement>(`[data-column="${columnId}"] h2`);
    const ticket = (orderId: string) => root.querySelector<HTMLElement>(`[data-order="${orderId}"] h3`);
    const wanted = pendingFocus.current;
    if (wanted) {
      pendingFocus.current = null;
      (ticket(wanted.orderId) ?? heading(wanted.columnId))?.focus();
      return;
    }
    const last = lastFocus.current;
    const lost = document.activeElement === null || document.activeElement === document.body;
    if (last && lost && !ticket(last.orderId)) {
      lastFocus.current = null;
      heading(last.columnId)?.focus();
    }
  }, [view.orders]);

  const onMoved = (order: StaffOrder, from: Column) => {
    pendingFocus.current = { orderId: order.id, columnId: from.id };
    setProblems((previous) => {
      const next = new Map(previous);
      next.delete(order.id);
      return next;
    });
    view.saw(order);
  };
  const onRefused = useCallback((orderId: string, message: string) => {
    // The order as the screen shows it when the answer comes (it may have moved meanwhile).
    const status = shownNow.current.get(orderId)?.status ?? 'CANCELLED';
    setProblems((previous) => new Map(previous).set(orderId, { message, status }));
  }, []);

  // Refusals of orders no longer on the screen, and cancellations of orders that were: said above the columns until read.
  const gone = [...problems].filter(([orderId]) => !shown.has(orderId));
  const cancelled = view.cancelled.filter((orderId) => !shown.has(orderId));
  const dismiss = () => {
    view.dismissCancelled();
    setProblems((previous) => new Map([...previous].filter(([orderId]) => shownNow.current.has(orderId))));
    // The notice goes with the button: the focus goes to the first column.
    board.current?.querySelector<HTMLElement>('[data-column] h2')?.focus();
  };
  return (
    <div className={`board board--${screen}`} ref={board}>
      <div className="board__notices" role="status" aria-live="polite" data-testid="board-notices">
        {(gone.length > 0 || cancelled.length > 0) && (
          <div className="notice notice--warning">
            <ul>
              {cancelled.map((orderId) => (
                <li key={`cancelled-${orderId}`}>Order #{shortId(orderId)} was cancelled by the customer: do not make it.</li>
              ))}
              {gone.map(([orderId, problem]) => (
                <li key={`refused-${orderId}`}>{problem.message}</li>
              ))}
            </ul>
            <button type="button" className="link-button" onClick={dismiss}>
              OK
            </button>
          </div>
        )}
      </div>
      {view.error && <ErrorNotice onRetry={view.retry}>{view.error}</ErrorNotice>}
      {view.loading && <p className="muted">Loading the orders…</p>}
      {!view.loading && !view.error && view.orders.length === 0 && <p className="muted">{empty}</p>}
      <div className="board__columns">
        {intoColumns(view.orders, columns).map(({ column, orders }) => (
          <section key={column.id} className="board__column" aria-labelledby={`column-${column.id}`} data-column={column.id} data-testid={`column-${column.id}`}>
            <h2 id={`column-${column.id}`} className="board__heading" tabIndex={-1}>
              {column.title} <span className="board__count">({orders.length})</span>
            </h2>
            {orders.length === 0 ? (
              <p className="muted board__empty">None.</p>
            ) : (
              <ul className="board__tickets">
                {orders.map((order) => {
                  const problem = problems.get(order.id);
                  return (
                    <OrderTicket
                      key={order.id}
                      order={order}
                      screen={screen}
                      role={member.role}
                      now={now}
                      problem={problem && problem.status === order.status ? problem.message : null}
                      onMoved={(moved) => onMoved(moved, column)}
                      onRefused={onRefused}
                      onForbidden={recheck}
                      onFocus={() => (lastFocus.current = { orderId: order.id, columnId: column.id })}
                    />
                  );
                })}
              </ul>
            )}
          </section>
        ))}
      </div>
    </div>
  );
}
