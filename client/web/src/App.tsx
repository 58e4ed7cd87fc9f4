// The app: one urql client per customer token, the header and the page the
// address asks for. The order flow: contact details (or "welcome back") ->
// menu and cart -> checkout -> the order's own page; then the order history.
// Only ordering asks for the delivery details first: orders, an order's page
// and the cluster open straight away. Staff screens (kitchen, courier, the
// cluster's internals) use the staff session: its own token and client.
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { Provider } from 'urql';
import { itemCount } from './cart.js';
import { Cart, CartBar } from './components/Cart.js';
import { Checkout } from './components/Checkout.js';
import { ClusterPanel } from './components/ClusterPanel.js';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { ContactForm } from './components/ContactForm.js';
import { CourierPage } from './components/CourierPage.js';
import { CustomerCard } from './components/CustomerCard.js';
import { Header } from './components/Header.js';
import { KitchenPage } from './components/KitchenPage.js';
import { Link } from './components/Link.js';
import { Menu } from './components/Menu.js';
import { NotFound } from './components/NotFound.js';
import { OrderPage } from './components/OrderPage.js';
import { Orders } from './components/Orders.js';
import { PageTitle } from './components/PageTitle.js';
import { StaffHome } from './components/StaffHome.js';
import { type GraphQLClient, createGraphQLClient } from './graphql-client.js';
import { type CartApi, useCart } from './hooks/useCart.js';
import { type Customer, type CustomerState, useCustomer } from './hooks/useCustomer.js';
import { useHeadingFocus } from './hooks/useHeadingFocus.js';
import { type Menu as MenuData, useMenu } from './hooks/useMenu.js';
import type { Order } from './hooks/useOrders.js';
import { useQuote } from './hooks/useQuote.js';
import { StaffContext, useStaffSession } from './hooks/useStaff.js';
import { navigate, pathOf, useRoute } from './router.js';
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
  const staff = useStaffSession();
  return (
    <Provider value={session.client.urql}>
      <StaffContext.Provider value={staff}>
        <Shell token={session.token} onToken={changeToken} />
      </StaffContext.Provider>
    </Provider>
  );
}

function Shell({ token, onToken }: { token: string | null; onToken(token: string | null): void }) {
  const route = useRoute();
  const forgetToken = useCallback(() => onToken(null), [onToken]);
  const viewer = useCustomer(token, forgetToken);
  // Just saved: shown at once, while the new client asks the gateway who this is.
  const [saved, setSaved] = useState<Customer | null>(null);
  const customer: CustomerState = viewer.kind === 'loading' && saved ? { kind: 'known', customer: saved } : viewer;
  const known = customer.kind === 'known' ? customer.customer : null;
  const [confirmed, setConfirmed] = useState(confirmedStore.get);
  const [editing, setEditing] = useState(false);
  const [placed, setPlaced] = useState<Order | null>(null);
  const menu = useMenu();
  const cart = useCart(menu.stock);

  // The thank-you belongs to the visit that placed the order: gone once the customer moves on.
  const onPlacedPage = placed !== null && route.page === 'order' && route.orderId === placed.id;
  useEffect(() => {
    if (placed && !onPlacedPage) setPlaced(null);
  }, [placed, onPlacedPage]);

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
  const ordering = route.page === 'menu' || route.page === 'checkout';
  const ready = known !== null && confirmed && !editing;
  const askingDetails = ordering && !ready;

  const main = useRef<HTMLElement>(null);
  const lookingUp = askingDetails && customer.kind === 'loading';
  useHeadingFocus(main, lookingUp ? null : `${pathOf(route)} ${askingDetails ? 'details' : 'page'}`);

  let content: ReactNode;
  if (route.page === 'cluster') content = <ClusterPanel />;
  else if (route.page === 'staff') content = <StaffHome />;
  else if (route.page === 'kitchen') content = <KitchenPage />;
  else if (route.page === 'courier') content = <CourierPage />;
  else if (route.page === 'not-found') content = <NotFound />;
  else if (route.page === 'orders') content = <Orders />;
  else if (route.page === 'order') content = <OrderPage orderId={route.orderId} placed={onPlacedPage ? placed : null} customer={known} />;
  else if (askingDetails)
    content = <DetailsStep customer={customer} editing={editing} onSaved={onSaved} onConfirm={confirm} onEdit={() => setEditing(true)} onCancelEdit={() => setEditing(false)} />;
  else if (route.page === 'checkout')
    content = (
      <Checkout
        menu={menu}
        cart={cart}
        onBack={() => navigate({ page: 'menu' })}
        onPlaced={(order) => {
          setPlaced(order);
          cart.clear();
          // Back from the order's page goes to the menu, not to an empty checkout.
          navigate({ page: 'order', orderId: order.id }, { replace: true });
        }}
      />
    );
  else content = <Shop menu={menu} cart={cart} />;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {route.page === 'menu' && !askingDetails && (
        <a className="skip-link" href="#cart">
          Skip to your cart
        </a>
      )}
      <Header
        route={route}
        customer={ready ? known : null}
        onEdit={() => {
          setEditing(true);
          navigate({ page: 'menu' });
        }}
      />
      <ConnectionBanner />
      <main id="main" ref={main} className={`page page--${route.page}`} tabIndex={-1}>
        {content}
      </main>
      <footer className="footer">
        <p>Just Hungry · Cooked to order · You can cancel an order from Your orders until the kitchen starts preparing it.</p>
        <p>
          <Link className="footer__staff" to={{ page: 'staff' }} aria-current={route.page === 'staff' ? 'page' : undefined}>
            Staff
          </Link>
        </p>
      </footer>
    </>
  );
}

/** The menu, the cart beside it (below it on a phone), and the phone's bar to checkout. */
function Shop({ menu, cart }: { menu: MenuData; cart: CartApi }) {
  const running = useQuote({ lines: cart.lines });
  const toCheckout = () => navigate({ page: 'checkout' });
  return (
    <div className="shop">
      <Menu menu={menu} cart={cart} />
      <aside className="shop__cart" id="cart" tabIndex={-1} aria-label="Your cart">
        <Cart cart={cart} menu={menu} priced={running} onCheckout={toCheckout} />
      </aside>
      <CartBar count={itemCount(cart.lines)} total={running.quote?.subtotal.formatted ?? null} onCheckout={toCheckout} />
    </div>
  );
}

function DetailsStep(props: { customer: CustomerState; editing: boolean; onSaved(customer: Customer, token: string | null): void; onConfirm(): void; onEdit(): void; onCancelEdit(): void }) {
  const { customer } = props;
  switch (customer.kind) {
    case 'new':
      return <ContactForm customer={null} onSaved={props.onSaved} />;
    case 'loading':
      return (
        <section className="card" aria-busy="true" aria-labelledby="details-title">
          <PageTitle id="details-title" title="Finding your details…" />
        </section>
      );
    case 'unreachable':
      return (
        <section className="card" aria-labelledby="details-title">
          <PageTitle id="details-title" title="Your details could not be loaded" />
          <div className="notice notice--error" role="alert">
            Please check your connection.{' '}
            <button type="button" className="link-button" onClick={customer.retry}>
              Try again
            </button>
          </div>
        </section>
      );
    case 'known':
      return props.editing ? (
        <ContactForm customer={customer.customer} onSaved={props.onSaved} onCancel={props.onCancelEdit} />
      ) : (
        <CustomerCard customer={customer.customer} onConfirm={props.onConfirm} onEdit={props.onEdit} />
      );
  }
}
