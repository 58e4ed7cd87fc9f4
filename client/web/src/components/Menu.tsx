// The menu: every dish with its price and live stock.
import type { CartApi } from '../hooks/useCart.js';
import type { Menu as MenuData } from '../hooks/useMenu.js';
import { quantityOf } from '../cart.js';
import { ProductCard } from './ProductCard.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PageTitle } from './PageTitle.js';

export function Menu({ menu, cart }: { menu: MenuData; cart: CartApi }) {
  return (
    <section className="menu" aria-labelledby="menu-title" aria-busy={menu.loading}>
      <PageTitle id="menu-title" title="Menu" />
      <p className="muted menu__intro">Cooked to order and with you in about an hour. Stock updates live.</p>
      {menu.error && <ErrorNotice onRetry={menu.retry}>{menu.error}</ErrorNotice>}
      {menu.loading && <p className="muted">Loading the menu…</p>}
      <ul className="dishes">
        {menu.products.map((product) => (
          <ProductCard
            key={product.id}
            product={product}
            stock={menu.stock.get(product.id) ?? product.stock}
            inCart={quantityOf(cart.lines, product.id)}
            onAdd={() => cart.add(product.id)}
            onSet={(quantity) => cart.set(product.id, quantity)}
          />
        ))}
      </ul>
    </section>
  );
}
