// What the browser keeps between visits: the customer's token (so a returning
// customer is recognised), the cart, and half-typed contact details; and, for
// this tab only, a member of staff's token. Stored values are parsed, never
// trusted: a bad one is dropped, not thrown.
const TOKEN_KEY = 'just-hungry.token';
const STAFF_TOKEN_KEY = 'just-hungry.staff-token';
const CART_KEY = 'just-hungry.cart';
const DRAFT_KEY = 'just-hungry.contact-draft';
const CONFIRMED_KEY = 'just-hungry.details-confirmed';

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

/**
 * A member of staff's token, apart from the customer's (each has its own
 * client). In sessionStorage, not localStorage: it moves any order and shows
 * customers' addresses and phone numbers, so it lasts as long as the tab (a
 * reload keeps it) and is gone when the tab is closed, on a shared kitchen
 * tablet too; a new tab asks for it again.
 */
export const staffTokenStore = {
  get: (): string | null => read(session(), STAFF_TOKEN_KEY),
  set: (token: string | null): void => write(session(), STAFF_TOKEN_KEY, token),
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
 * Idempotency keys for one kind of request: the same key for every attempt at
 * the same request (a double click, a retry, a reload mid-request), a new one
 * once the request changes (the server refuses a key reused for another
 * request) or has succeeded.
 */
export function requestKeyStore(kind: 'checkout' | 'contact' | 'move') {
  const slot = `just-hungry.${kind}-key`;
  return {
    get: (request: unknown): string => {
      const asked = JSON.stringify(request);
      try {
        const saved = JSON.parse(read(session(), slot) ?? 'null') as { key?: unknown; request?: unknown } | null;
        if (saved?.request === asked && typeof saved.key === 'string') return saved.key;
      } catch {
        // a bad value is dropped
      }
      const key = newKey();
      write(session(), slot, JSON.stringify({ key, request: asked }));
      return key;
    },
    clear: (): void => write(session(), slot, null),
  };
}

/** The checkout in progress. */
export const checkoutKeyStore = requestKeyStore('checkout');
/** Contact details being saved (a sign-up or an update). */
export const contactKeyStore = requestKeyStore('contact');
/** A member of staff moving an order (the last move asked for: one at a time is what a person does). */
export const moveKeyStore = requestKeyStore('move');
