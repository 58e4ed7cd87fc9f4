// The app's addresses, one history: '/', '/checkout', '/orders', '/orders/ID',
// '/cluster', and the staff's '/staff' (sign-in), '/kitchen' and '/courier';
// any other path is the not-found page. The gateway answers every
// path with index.html, so links can be shared and reloaded.
import { useMemo, useSyncExternalStore } from 'react';

export type Route =
  | { page: 'menu' }
  | { page: 'checkout' }
  | { page: 'orders' }
  | { page: 'order'; orderId: string }
  | { page: 'cluster' }
  | { page: 'staff' }
  | { page: 'kitchen' }
  | { page: 'courier' }
  | { page: 'not-found' };

export type Page = Route['page'];

/** Longest order id the API looks up (a longer one cannot be an order). */
export const ORDER_ID_CHARS_MAX = 200;

const FIXED: Record<string, Route> = {
  '/': { page: 'menu' },
  '/checkout': { page: 'checkout' },
  '/orders': { page: 'orders' },
  '/cluster': { page: 'cluster' },
  '/staff': { page: 'staff' },
  '/kitchen': { page: 'kitchen' },
  '/courier': { page: 'courier' },
};

export function routeOf(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const fixed = FIXED[path];
  if (fixed) return fixed;
  const order = /^\/orders\/([^/]+)$/.exec(path);
  if (order?.[1]) {
    const orderId = decoded(order[1]);
    if (orderId !== null && orderId.length <= ORDER_ID_CHARS_MAX) return { page: 'order', orderId };
  }
  return { page: 'not-found' };
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null; // a malformed escape: no order has that id
  }
}

export function pathOf(route: Route): string {
  switch (route.page) {
    case 'menu':
      return '/';
    case 'order':
      return `/orders/${encodeURIComponent(route.orderId)}`;
    case 'not-found':
      return window.location.pathname;
    default:
      return `/${route.page}`;
  }
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

/** Goes to a page; `replace` when the page left should not come back with Back (a checkout once its order is placed). */
export function navigate(route: Route, { replace = false } = {}): void {
  const path = pathOf(route);
  if (window.location.pathname === path) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const listener of listeners) listener();
  window.scrollTo({ top: 0 });
}

export function useRoute(): Route {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname, () => '/');
  return useMemo(() => routeOf(pathname), [pathname]);
}
