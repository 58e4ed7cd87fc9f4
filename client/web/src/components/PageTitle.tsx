// A page's one level-one heading, and the window's title to match. The heading
// can take the focus (the app moves it there when the page changes, so a
// screen reader says where the customer now is).
import { type ReactNode, useEffect } from 'react';

export const APP_NAME = 'Just Hungry';

export function PageTitle({ id, title, children }: { id: string; title: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · ${APP_NAME}`;
  }, [title]);
  return (
    <h1 id={id} className="page-title" tabIndex={-1}>
      {children ?? title}
    </h1>
  );
}
