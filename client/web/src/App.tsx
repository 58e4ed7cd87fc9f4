// The app: one urql client per customer token, the header and the page the
// address asks for. The order flow: contact details (or "welcome back") ->
// menu and cart -> checkout -> confirmation; then the order history.
import { type MouseEvent, type ReactNode, useCallback, useState } from 'react';
import { Provider } from 'urql';
import { itemCount } from './cart.js';
import { Cart, CartBar } from './components/Cart.js';
import { Checkout } from './components/Checkout.js';
import { ClusterPanel } from './components/ClusterPanel.js';
import { Confirmation } from './components/Confirmation.js';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { ContactForm } from './components/ContactForm.js';
import { CustomerCard } from './components/CustomerCard.js';
import { Menu } from './components/Menu.js';
import { Orders } from './components/Orders.js';
import { type GraphQLClient, createGraphQLClient } from './graphql-client.js';
import { useCart } from './hooks/useCart.js';
import { type Customer, type CustomerState, useCustomer } from './hooks/useCustomer.js';
import { useMenu } from './hooks/useMenu.js';
import type { Order } from './hooks/useOrders.js';
import { useQuote } from './hooks/useQuote.js';
import { type Page, PATHS, navigate, usePage } from './router.js';
import { confirmedStore, tokenStore } from './storage.js';

export function App() {
  // The token and the client that sends it change together, so no request ever goes out with a stale token.
  const [session, setSession] = useState<{ token: string | null; client: GraphQLClient }>(() => {
    const token = tokenStore.get();
    return { token, client: createGraphQLClient(token) };
  });
  const changeToken = useCallback(
    (next: string | null) => {
      tokenStore.set(next);
      if (next === null) confirmedStore.set(false);
      session.client.dispose();
      setSession({ token: next, client: createGraphQLClient(next) });
    },
    [session],
  );
  return (
    <Provider value={session.client.urql}>
      <Shell token={session.token} onToken={changeToken} />
    </Provider>
  );
}

function Shell({ token, onToken }: { token: string | null; onToken(token: string | null): void }) {
  const page = usePage();
  const forgetToken = useCallback(() => onToken(null), [onToken]);
  const viewer = useCustomer(token, forgetToken);
  // Just saved: shown at once, while the new client asks the gateway who this is.
  const [saved, setSaved] = useState<Customer | null>(null);
  const customer: CustomerState = viewer.kind === 'loading' && saved ? { kind: 'known', customer: saved } : viewer;
  const [confirmed, setConfirmed] = useState(confirmedStore.get);
  const [editing, setEditing] = useState(false);
  const [placed, setPlaced] = useState<Order | null>(null);
  const menu = useMenu();
  const cart = useCart(menu.stock);
  const running = useQuote({ lines: cart.lines });

  const confirm = () => {
    confirmedStore.set(true);
    setConfirmed(true);
    setEditing(false);
  };
  const onSaved = (next: Customer, newToken: string | null) => {
    setSaved(next);
    if (newToken) onToken(newToken);
    confirm();
  };
  const ready = customer.kind === 'known' && confirmed && !editing;

  let content: ReactNode;
  if (page === 'cluster') content = <ClusterPanel />;
  else if (!ready) content = <DetailsStep customer={customer} editing={editing} onSaved={onSaved} onConfirm={confirm} onEdit={() => setEditing(true)} onCancelEdit={() => setEditing(false)} />;
  else if (page === 'orders') content = <Orders />;
  else if (page === 'checkout' && placed && customer.kind === 'known')
    content = <Confirmation order={placed} firstName={customer.customer.firstName} onOrders={() => navigate('orders')} onMenu={() => { setPlaced(null); navigate('menu'); }} />;
  else if (page === 'checkout')
    content = <Checkout menu={menu} cart={cart} onBack={() => navigate('menu')} onPlaced={(order) => { setPlaced(order); cart.clear(); }} />;
  else
    content = (
      <div className="shop">
        <Menu menu={menu} cart={cart} />
        <aside className="shop__cart" id="cart">
          <Cart cart={cart} menu={menu} quote={running.quote} pending={running.pending} onCheckout={() => navigate('checkout')} />
        </aside>
        <CartBar count={itemCount(cart.lines)} total={running.quote?.subtotal.formatted ?? null} onCheckout={() => navigate('checkout')} />
      </div>
    );

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header page={page} customer={ready && customer.kind === 'known' ? customer.customer : null} onEdit={() => { setEditing(true); navigate('menu'); }} onNavigate={(p) => { if (p !== 'checkout') setPlaced(null); navigate(p); }} />
      <ConnectionBanner />
      <main id="main" className={`page page--${page}`} tabIndex={-1}>
        {content}
      </main>
      <footer className="footer">
        <p>Just Hungry · every order kept safe on three replicas.</p>
      </footer>
    </>
  );
}

function DetailsStep(props: { customer: CustomerState; editing: boolean; onSaved(customer: Customer, token: string | null): void; onConfirm(): void; onEdit(): void; onCancelEdit(): void }) {
  const { customer } = props;
  switch (customer.kind) {
    case 'new':
      return <ContactForm customer={null} onSaved={props.onSaved} />;
    case 'loading':
      return <p className="card muted" aria-busy="true">Finding your details…</p>;
    case 'unreachable':
      return (
        <div className="notice notice--error" role="alert">
          Your details could not be loaded.{' '}
          <button type="button" className="link-button" onClick={customer.retry}>
            Try again
          </button>
        </div>
      );
    case 'known':
      return props.editing ? (
        <ContactForm customer={customer.customer} onSaved={props.onSaved} onCancel={props.onCancelEdit} />
      ) : (
        <CustomerCard customer={customer.customer} onConfirm={props.onConfirm} onEdit={props.onEdit} />
      );
  }
}

const NAV: { page: Page; label: string }[] = [
  { page: 'menu', label: 'Menu' },
  { page: 'orders', label: 'Orders' },
  { page: 'cluster', label: 'Cluster' },
];

function Header({ page, customer, onEdit, onNavigate }: { page: Page; customer: Customer | null; onEdit(): void; onNavigate(page: Page): void }) {
  const follow = (target: Page) => (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    onNavigate(target);
  };
  const current = page === 'checkout' ? 'menu' : page;
  return (
    <header className="header">
      <div className="header__inner">
        <a className="brand" href={PATHS.menu} onClick={follow('menu')}>
          <span className="brand__mark" aria-hidden="true">
            JH
          </span>
          Just Hungry
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.page}>
                <a href={PATHS[item.page]} onClick={follow(item.page)} aria-current={current === item.page ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      {customer && (
        <div className="deliver-to">
          <span>
            Delivering to <strong>{customer.firstName}</strong>, {customer.postcode}
          </span>
          <button type="button" className="link-button" onClick={onEdit}>
            Change
          </button>
        </div>
      )}
    </header>
  );
}
