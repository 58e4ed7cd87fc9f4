// Creating an order, as the original client did: contact details, the
// products with stock and price, a cart with quantities, its review with the
// total, a delivery option, an optional tip, the final cost, a confirmation,
// and whether the order was placed. Every sum shown is the API's own.
import { randomUUID } from 'node:crypto';
import { Separator, confirm, input, number, select } from '@inquirer/prompts';
import type { MenuQuery, OrderQuoteQuery, UserErrorFieldsFragment } from '../gql/graphql.js';
import { MenuQuery as MenuDocument, OrderQuoteQuery as QuoteDocument, PlaceOrderMutation } from '../operations.js';
import { GatewayError } from './api.js';
import { confirmedCustomer } from './contact.js';
import { INPUT_THEME, bad, bold, costBlock, good, say, table } from './output.js';
import type { Session } from './session.js';

/** The most of one dish in one order (the API's limit too). */
const QUANTITY_MAX = 99;

type Product = MenuQuery['products'][number];
type DeliveryOption = MenuQuery['deliveryOptions'][number];
type Quote = NonNullable<OrderQuoteQuery['orderQuote']['quote']>;
/** Product id -> quantity, in the order the customer added them. */
type Cart = Map<string, number>;
interface Choices {
  cart: Cart;
  deliveryOption: DeliveryOption;
  tipMinorUnits: number;
}

export async function createOrder(session: Session): Promise<void> {
  if (!(await confirmedCustomer(session))) return;
  const menu = await session.api.query(MenuDocument, {});
  const cart = await chooseCart(session, menu.products);
  if (!cart) return;
  const deliveryOption = await chooseDelivery(menu.deliveryOptions);
  const priced = await chooseTip(session, cart, deliveryOption);
  say('', bold('Your order:'), ...costBlock(priced.quote, { delivery: deliveryOption.name, tip: riderDelivers(deliveryOption) }));
  if (!(await confirm({ message: `Place this order for ${priced.quote.total.formatted}?`, default: true }))) {
    say('Order not placed.');
    return;
  }
  await place(session, priced.choices);
}

/** Dishes and quantities, reviewed with their subtotal; null when the customer drops the order. */
async function chooseCart(session: Session, products: Product[]): Promise<Cart | null> {
  const cart: Cart = new Map();
  for (;;) {
    const choice = await select<string | { action: 'review' | 'drop' }>({
      message: cart.size === 0 ? 'Add a dish to your cart:' : 'Add another dish, change a quantity, or review your cart:',
      choices: [
        ...productChoices(products, cart),
        new Separator(),
        cart.size === 0
          ? { name: 'Review the cart', value: { action: 'review' }, disabled: '(it is empty)' }
          : { name: `Review the cart (${itemCount(cart)})`, value: { action: 'review' } },
        { name: 'Drop this order', value: { action: 'drop' } },
      ],
      pageSize: Math.min(products.length + 3, 20),
    });
    if (typeof choice === 'string') {
      await chooseQuantity(products, cart, choice);
      continue;
    }
    if (choice.action === 'drop') {
      say('Order dropped.');
      return null;
    }
    const quote = await priceCart(session, { cart, tipMinorUnits: 0 });
    if ('errors' in quote) {
      say(...quote.errors.map((e) => bad(e.message)));
      continue;
    }
    say('', bold('Your cart:'), ...costBlock(quote));
    if (await confirm({ message: 'Go on to delivery?', default: true })) return cart;
  }
}

function itemCount(cart: Cart): string {
  const items = [...cart.values()].reduce((sum, quantity) => sum + quantity, 0);
  return items === 1 ? '1 item' : `${items} items`;
}

function productChoices(products: Product[], cart: Cart) {
  const rows = table(
    products.map((p) => [p.name, p.price.formatted, p.stock > 0 ? `${p.stock} left` : '', cart.has(p.id) ? `(${cart.get(p.id)} in cart)` : '']),
    [false, true, true, false],
  );
  return products.map((p, i) => ({
    name: rows[i] ?? p.name,
    short: p.name,
    value: p.id,
    description: p.description,
    disabled: p.stock === 0 && !cart.has(p.id) ? '(sold out)' : false,
  }));
}

async function chooseQuantity(products: Product[], cart: Cart, productId: string): Promise<void> {
  const product = products.find((p) => p.id === productId);
  if (!product) return;
  const inCart = cart.get(productId) ?? 0;
  const quantity = await number({
    message: inCart > 0 ? `How many ${product.name}? (0 takes it out)` : `How many ${product.name}?`,
    default: inCart || 1,
    min: 0,
    // Stock as last seen: the API has the last word when the order is placed.
    max: Math.max(inCart, Math.min(QUANTITY_MAX, product.stock)),
    required: true,
  });
  if (quantity === 0) cart.delete(productId);
  else cart.set(productId, quantity);
}

async function chooseDelivery(options: DeliveryOption[]): Promise<DeliveryOption> {
  const rows = table(options.map((o) => [o.name, o.cost.formatted]), [false, true]);
  const id = await select({
    message: 'Delivery:',
    choices: options.map((o, i) => ({ name: rows[i] ?? o.name, short: o.name, value: o.id, description: o.description })),
  });
  const chosen = options.find((o) => o.id === id);
  if (!chosen) throw new Error(`unknown delivery option ${id}`);
  return chosen;
}

/** A tip is for the rider: none is asked for an order the customer collects. */
function riderDelivers(option: DeliveryOption): boolean {
  return option.fulfilment === 'DELIVERY';
}

/** An optional tip where a rider delivers, asked again until the API accepts it; returns the priced choices. */
async function chooseTip(session: Session, cart: Cart, deliveryOption: DeliveryOption): Promise<{ choices: Choices; quote: Quote }> {
  let wantsTip = riderDelivers(deliveryOption) && (await confirm({ message: 'Add a tip for the rider?', default: false }));
  for (;;) {
    const tipMinorUnits = wantsTip ? await askTip() : 0;
    const choices = { cart, deliveryOption, tipMinorUnits };
    const quote = await priceCart(session, choices);
    if (!('errors' in quote)) return { choices, quote };
    // Only the tip is new since the cart was priced; anything else is not the customer's to fix here.
    if (!quote.errors.some((e) => e.field?.[0] === 'tipMinorUnits')) throw new GatewayError(quote.errors.map((e) => e.message).join(' '));
    say(...quote.errors.map((e) => bad(e.message)));
    wantsTip = true;
  }
}

async function askTip(): Promise<number> {
  const answer = await input({
    message: 'Tip in pounds (for example 1.50):',
    theme: INPUT_THEME,
    validate: (value) => (penceOf(value) === null ? 'Enter an amount like 2 or 1.50.' : true),
  });
  return penceOf(answer) ?? 0;
}

/** '1.5' or '£1.50' -> 150 pence; null when it is not an amount of money. */
function penceOf(text: string): number | null {
  const match = /^£?\s*(\d{1,6})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

async function priceCart(
  session: Session,
  choices: Omit<Choices, 'deliveryOption'> & { deliveryOption?: DeliveryOption },
): Promise<Quote | { errors: UserErrorFieldsFragment[] }> {
  const { orderQuote } = await session.api.query(QuoteDocument, {
    input: { lines: linesOf(choices.cart), deliveryOptionId: choices.deliveryOption?.id ?? null, tipMinorUnits: choices.tipMinorUnits },
  });
  if (orderQuote.quote) return orderQuote.quote;
  if (orderQuote.errors.length === 0) throw new GatewayError('The gateway could not price this cart.');
  return { errors: orderQuote.errors };
}

function linesOf(cart: Cart) {
  return [...cart].map(([productId, quantity]) => ({ productId, quantity }));
}

async function place(session: Session, choices: Choices): Promise<void> {
  // One key per confirmed order: if the request is sent again (a retry), the API returns the same order.
  const idempotencyKey = randomUUID();
  const { placeOrder } = await session.api.mutation(PlaceOrderMutation, {
    input: { idempotencyKey, lines: linesOf(choices.cart), deliveryOptionId: choices.deliveryOption.id, tipMinorUnits: choices.tipMinorUnits },
  });
  if (placeOrder.order) {
    say(good(`Order #${placeOrder.order.id} placed: ${placeOrder.order.total.formatted}, ${placeOrder.order.deliveryOption.name.toLowerCase()}.`));
    return;
  }
  say(bad('Your order was not placed:'), ...placeOrder.errors.map((e) => `  ${e.message}`));
}
