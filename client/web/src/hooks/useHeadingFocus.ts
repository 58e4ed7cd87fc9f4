// When the app moves to another page (or from the details step to ordering),
// the new page's heading takes the focus: a screen reader announces it and Tab
// carries on from there, not from the top. Not for the first page shown,
// where the browser starts at the top (and the skip links) as usual.
import { type RefObject, useEffect, useRef } from 'react';

/** Moves the focus to the page's heading, in `root` (the page's content by default). */
export function focusHeading(root: ParentNode | null = document.querySelector('#main')): void {
  root?.querySelector<HTMLElement>('h1')?.focus();
}

/** `pageKey` names the page shown; null while it is not known yet (the customer is being looked up). */
export function useHeadingFocus(container: RefObject<HTMLElement | null>, pageKey: string | null): void {
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (pageKey === null || shown.current === pageKey) return;
    const first = shown.current === null;
    shown.current = pageKey;
    if (!first) focusHeading(container.current);
  }, [container, pageKey]);
}
