// What the browser keeps between visits: the customer's token (so a returning
// customer is recognised), the cart, and half-typed contact details. Stored
// values are parsed, never trusted: a bad one is dropped, not thrown.
const TOKEN_KEY = 'just-hungry.token';
const CART_KEY = 'just-hungry.cart';
const DRAFT_KEY = 'just-hungry.contact-draft';
const CONFIRMED_KEY = 'just-hungry.details-confirmed';
const CHECKOUT_KEY = 'just-hungry.checkout-key';

function read(storage: Storage | undefined, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null; // storage disabled (private mode, policy): the app works, it just forgets
  }
}

function write(storage: Storage | undefined, key: string, value: string | null): void {
  try {
    if (value === null) storage?.removeItem(key);
    else storage?.setItem(key, value);
  } catch {
    // full or disabled storage: nothing to do but forget
  }
}

const local = () => (typeof localStorage === 'undefined' ? undefined : localStorage);
const session = () => (typeof sessionStorage === 'undefined' ? undefined : sessionStorage);

export const tokenStore = {
  get: (): string | null => read(local(), TOKEN_KEY),
  set: (token: string | null): void => write(local(), TOKEN_KEY, token),
};

/** Whether the customer confirmed their details in this tab (asked again on the next visit). */
export const confirmedStore = {
  get: (): boolean => read(session(), CONFIRMED_KEY) === 'yes',
  set: (confirmed: boolean): void => write(session(), CONFIRMED_KEY, confirmed ? 'yes' : null),
};

export function readJson<T>(key: 'cart' | 'draft', parse: (value: unknown) => T | null): T | null {
  const text = read(local(), key === 'cart' ? CART_KEY : DRAFT_KEY);
  if (text === null) return null;
  try {
    return parse(JSON.parse(text));
  } catch {
    return null;
  }
}

export function writeJson(key: 'cart' | 'draft', value: unknown): void {
  write(local(), key === 'cart' ? CART_KEY : DRAFT_KEY, value === null ? null : JSON.stringify(value));
}

/** A random key (works outside secure contexts too, unlike crypto.randomUUID). */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The idempotency key of the checkout in progress: the same for every attempt
 * (a double click, a retry, a reload mid-request) until an order is placed.
 */
export const checkoutKeyStore = {
  get: (): string => {
    const existing = read(session(), CHECKOUT_KEY);
    if (existing) return existing;
    const key = newKey();
    write(session(), CHECKOUT_KEY, key);
    return key;
  },
  clear: (): void => write(session(), CHECKOUT_KEY, null),
};
