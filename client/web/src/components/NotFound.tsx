// Any address the app does not know: says so, and offers the way back.
import { Link } from './Link.js';
import { PageTitle } from './PageTitle.js';

export function NotFound() {
  return (
    <section className="card not-found" aria-labelledby="not-found-title">
      <PageTitle id="not-found-title" title="Page not found" />
      <p>There is nothing at this address; it may have been mistyped.</p>
      <div className="actions">
        <Link className="button button--ghost" to={{ page: 'orders' }}>
          Your orders
        </Link>
        <Link className="button button--primary" to={{ page: 'menu' }}>
          Go to the menu
        </Link>
      </div>
    </section>
  );
}
