// Effects: the state changes a write produced. The primary decides them once
// (ids, timestamps, totals, stock levels); backups apply them as they are and
// never re-run business logic. Stock levels are absolute, so applying an effect
// needs nothing but the effect.
import { z } from 'zod';
import { CustomerWire, DeliveryOptionWire, OrderWire, ProductWire, StaffWire } from '../protocol.ts';
import { withTimeline } from './lifecycle.ts';

const StockLevel = z.object({ productId: z.string(), stock: z.number().int().min(0) });
/** The idempotency key a write was made under, recorded with its answer (see idempotency.ts). */
const Keyed = z.object({ scope: z.string(), key: z.string(), requestHash: z.string() }).optional();

export const Effect = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('catalogLoaded'),
    products: z.array(ProductWire),
    deliveryOptions: z.array(DeliveryOptionWire),
  }),
  z.object({ type: z.literal('customerSaved'), customer: CustomerWire, tokenHash: z.string().optional(), idempotency: Keyed }),
  z.object({ type: z.literal('orderPlaced'), order: OrderWire, stock: z.array(StockLevel), idempotency: Keyed }),
  // Written before the lifecycle; applied as an orderMoved to CANCELLED.
  z.object({ type: z.literal('orderCancelled'), order: OrderWire, stock: z.array(StockLevel), idempotency: Keyed }),
  z.object({ type: z.literal('orderMoved'), order: OrderWire, stock: z.array(StockLevel), idempotency: Keyed }),
  z.object({ type: z.literal('staffAdded'), staff: StaffWire, tokenHash: z.string(), idempotency: Keyed }),
  z.object({ type: z.literal('staffRemoved'), staff: StaffWire, idempotency: Keyed }),
]);
export type Effect = z.infer<typeof Effect>;

/** What a request that produced this effect answers, also when it is retried. */
export function resultOf(effect: Effect): unknown {
  switch (effect.type) {
    case 'catalogLoaded':
      return null;
    case 'customerSaved':
      return effect.customer;
    case 'orderPlaced':
    case 'orderCancelled':
    case 'orderMoved':
      return withTimeline(effect.order);
    case 'staffAdded':
    case 'staffRemoved':
      return effect.staff;
  }
}
