// The order lifecycle's rules, pure (replicas/domain/lifecycle.ts): every
// status, target and role, for both ways of getting an order, against the
// issue's own table of who may move what.
import { describe, expect, it } from 'vitest';
import { ACTOR_ROLES, type ActorRole, FINAL_STATUSES, type Fulfilment, type LifecycleStatus, ORDER_STATUSES, checkMove, isActive } from '../replicas/domain/lifecycle.ts';

/** The table (16, item 1), written out: from, to, who, and for which orders. Operators may do what staff do. */
const ALLOWED: [LifecycleStatus, LifecycleStatus, ActorRole[], Fulfilment[]][] = [
  ['PLACED', 'ACCEPTED', ['KITCHEN', 'OPERATOR'], ['DELIVERY', 'COLLECTION']],
  ['PLACED', 'REJECTED', ['KITCHEN', 'OPERATOR'], ['DELIVERY', 'COLLECTION']],
  ['PLACED', 'CANCELLED', ['CUSTOMER'], ['DELIVERY', 'COLLECTION']],
  ['ACCEPTED', 'CANCELLED', ['CUSTOMER'], ['DELIVERY', 'COLLECTION']],
  ['ACCEPTED', 'PREPARING', ['KITCHEN', 'OPERATOR'], ['DELIVERY', 'COLLECTION']],
  ['PREPARING', 'READY', ['KITCHEN', 'OPERATOR'], ['DELIVERY', 'COLLECTION']],
  ['READY', 'OUT_FOR_DELIVERY', ['COURIER', 'OPERATOR'], ['DELIVERY']],
  ['OUT_FOR_DELIVERY', 'DELIVERED', ['COURIER', 'OPERATOR'], ['DELIVERY']],
  ['READY', 'COLLECTED', ['KITCHEN', 'OPERATOR'], ['COLLECTION']],
];

const allowed = (from: LifecycleStatus, to: LifecycleStatus, by: ActorRole, fulfilment: Fulfilment) =>
  ALLOWED.some(([f, t, roles, kinds]) => f === from && t === to && roles.includes(by) && kinds.includes(fulfilment));

describe('the order lifecycle', () => {
  it('allows exactly the moves in the table, to exactly the roles it names, and refuses every other naming the current status', () => {
    let moves = 0;
    for (const fulfilment of ['DELIVERY', 'COLLECTION'] as const) {
      for (const from of ORDER_STATUSES) {
        for (const to of ORDER_STATUSES) {
          if (from === to) continue;
          for (const by of ACTOR_ROLES) {
            const checked = checkMove({ id: '7', status: from, fulfilment }, to, by, 'Out of basil');
            const expected = allowed(from, to, by, fulfilment);
            expect({ from, to, by, fulfilment, ok: checked.ok }).toEqual({ from, to, by, fulfilment, ok: expected });
            if (checked.ok) {
              expect(checked.value).toBe('move');
              moves++;
            } else {
              expect(checked.errors).toEqual([expect.objectContaining({ code: 'INVALID_TRANSITION', field: ['to'] })]);
              expect(checked.errors[0]?.message).toContain(`Order 7 is`);
              expect(checked.errors[0]?.message).toContain(`(${from})`);
            }
          }
        }
      }
    }
    // 7 moves for either kind of order, 2 more for one kind only; kitchen, courier and operator moves by two roles each.
    expect(moves).toBe(ALLOWED.reduce((n, [, , roles, kinds]) => n + roles.length * kinds.length, 0));
  });

  it('says who may make a move to someone who may not', () => {
    const refused = checkMove({ id: '3', status: 'PLACED', fulfilment: 'DELIVERY' }, 'ACCEPTED', 'CUSTOMER');
    expect(refused).toEqual({ ok: false, errors: [{ code: 'INVALID_TRANSITION', field: ['to'], message: 'Order 3 is placed (PLACED): only the kitchen or an operator may move it to ACCEPTED.' }] });
    const late = checkMove({ id: '3', status: 'PREPARING', fulfilment: 'DELIVERY' }, 'CANCELLED', 'CUSTOMER');
    expect(late.ok ? null : late.errors[0]?.message).toBe('Order 3 is being prepared (PREPARING), so it cannot move to CANCELLED.');
  });

  it('answers a repeat of a move already made as done, for whoever may make it, and only for them', () => {
    expect(checkMove({ id: '1', status: 'CANCELLED', fulfilment: 'DELIVERY' }, 'CANCELLED', 'CUSTOMER')).toEqual({ ok: true, value: 'already' });
    expect(checkMove({ id: '1', status: 'ACCEPTED', fulfilment: 'DELIVERY' }, 'ACCEPTED', 'KITCHEN')).toEqual({ ok: true, value: 'already' });
    expect(checkMove({ id: '1', status: 'ACCEPTED', fulfilment: 'DELIVERY' }, 'ACCEPTED', 'COURIER').ok).toBe(false);
    expect(checkMove({ id: '1', status: 'CANCELLED', fulfilment: 'DELIVERY' }, 'CANCELLED', 'KITCHEN').ok).toBe(false);
  });

  it('needs a reason to reject, of a bounded length', () => {
    const order = { id: '9', status: 'PLACED' as const, fulfilment: 'DELIVERY' as const };
    for (const reason of [null, '', '   ']) expect(checkMove(order, 'REJECTED', 'KITCHEN', reason)).toMatchObject({ ok: false, errors: [{ code: 'INVALID_INPUT', field: ['reason'] }] });
    expect(checkMove(order, 'REJECTED', 'KITCHEN', 'x'.repeat(501))).toMatchObject({ ok: false, errors: [{ code: 'INVALID_INPUT', field: ['reason'] }] });
    expect(checkMove(order, 'REJECTED', 'KITCHEN', 'We have run out of basil.')).toEqual({ ok: true, value: 'move' });
  });

  it('ends in a final status from which nothing moves, and counts as active unless cancelled or rejected', () => {
    for (const status of FINAL_STATUSES) {
      for (const to of ORDER_STATUSES) {
        if (to === status) continue;
        for (const by of ACTOR_ROLES) expect(checkMove({ id: '1', status, fulfilment: 'DELIVERY' }, to, by, 'r').ok).toBe(false);
      }
    }
    expect(ORDER_STATUSES.filter((s) => !isActive(s))).toEqual(['REJECTED', 'CANCELLED']);
    // Every status can be reached from PLACED, for one kind of order or the other.
    const reached = new Set<LifecycleStatus>(['PLACED']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [from, to] of ALLOWED) if (reached.has(from) && !reached.has(to)) grew = reached.add(to) !== null;
    }
    expect([...reached].sort()).toEqual([...ORDER_STATUSES].sort());
  });
});
