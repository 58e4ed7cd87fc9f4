// Effects: the state changes a write produced. The primary decides them once
// (ids, timestamps, totals, stock levels); backups apply them as they are and
// never re-run business logic. Stock levels are absolute, so applying an effect
// needs nothing but the effect.
import { z } from 'zod';
import { CustomerWire, DeliveryOptionWire, OrderRecord, ProductWire, StaffWire } from '../protocol.ts';

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
  z.object({ type: z.literal('orderPlaced'), order: OrderRecord, stock: z.array(StockLevel), idempotency: Keyed }),
  // Written before the lifecycle (its order read as one moved to CANCELLED, by OrderRecord).
  z.object({ type: z.literal('orderCancelled'), order: OrderRecord, stock: z.array(StockLevel), idempotency: Keyed }),
  z.object({ type: z.literal('orderMoved'), order: OrderRecord, stock: z.array(StockLevel), idempotency: Keyed }),
  z.object({ type: z.literal('staffAdded'), staff: StaffWire, tokenHash: z.string(), idempotency: Keyed }),
  z.object({ type: z.literal('staffRemoved'), staff: StaffWire, idempotency: Keyed }),
]);
export type Effect = z.infer<typeof Effect>;
/** An effect as written to the log and shipped: what `Effect` parses (its orders then in their lifecycle form). */
export type EffectWire = z.input<typeof Effect>;

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
      return effect.order;
    case 'staffAdded':
    case 'staffRemoved':
      return effect.staff;
  }
}
