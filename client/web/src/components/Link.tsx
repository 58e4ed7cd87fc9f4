// A link to one of the app's pages: a real <a href> (open in a new tab, copy
// the address), followed in place on a plain click.
import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';
import { type Route, navigate, pathOf } from '../router.js';

interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'onClick'> {
  to: Route;
  children: ReactNode;
  /** Runs before the app follows the link in place. */
  onFollow?: () => void;
}

export function Link({ to, children, onFollow, ...anchor }: LinkProps) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    onFollow?.();
    navigate(to);
  };
  return (
    <a href={pathOf(to)} onClick={follow} {...anchor}>
      {children}
    </a>
  );
}
