// Three pages, one history: '/', '/checkout', '/orders', '/cluster'. The
// gateway answers every path with index.html, so links can be shared and reloaded.
import { useSyncExternalStore } from 'react';

export type Page = 'menu' | 'checkout' | 'orders' | 'cluster';

export const PATHS: Record<Page, string> = { menu: '/', checkout: '/checkout', orders: '/orders', cluster: '/cluster' };

export function pageOf(pathname: string): Page {
  const path = pathname.replace(/\/+$/, '') || '/';
  const found = (Object.keys(PATHS) as Page[]).find((page) => PATHS[page] === path);
  return found ?? 'menu';
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

export function navigate(page: Page): void {
  if (pageOf(window.location.pathname) === page) return;
  window.history.pushState(null, '', PATHS[page]);
  for (const listener of listeners) listener();
  window.scrollTo({ top: 0 });
}

export function usePage(): Page {
  return useSyncExternalStore(subscribe, () => pageOf(window.location.pathname), () => 'menu');
}
