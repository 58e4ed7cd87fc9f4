// One dish on the menu: price, live stock, and its place in the cart. "Add"
// and the quantity stepper take each other's place: the focus goes from one to
// the other, so a keyboard user stays on the dish.
import { useState } from 'react';
import { QUANTITY_MAX } from '../cart.js';
import type { Product } from '../hooks/useMenu.js';
import { QuantityStepper } from './QuantityStepper.js';

const LOW_STOCK = 5;

export function ProductCard({ product, stock, inCart, onAdd, onSet }: { product: Product; stock: number; inCart: number; onAdd(): void; onSet(quantity: number): void }) {
  const soldOut = stock <= 0;
  const headingId = `dish-${product.id}`;
  // What the customer last did here: the control that replaces the one pressed takes the focus.
  const [pressed, setPressed] = useState<'add' | 'remove' | null>(null);
  return (
    <li className={`dish${soldOut ? ' dish--sold-out' : ''}`} aria-labelledby={headingId} data-testid={`dish-${product.id}`}>
      <div className="dish__art" aria-hidden="true">
        {initials(product.name)}
      </div>
      <div className="dish__body">
        <h2 id={headingId} className="dish__name">
          {product.name}
        </h2>
        <p className="dish__description">{product.description}</p>
        <div className="dish__meta">
          <span className="price">{product.price.formatted}</span>
          <StockBadge stock={stock} />
          <span className="dish__action">
            {inCart > 0 ? (
              <QuantityStepper
                name={product.name}
                quantity={inCart}
                max={Math.min(stock, QUANTITY_MAX)}
                autoFocus={pressed === 'add'}
                onChange={(quantity) => {
                  if (quantity === 0) setPressed('remove');
                  onSet(quantity);
                }}
              />
            ) : (
              <button
                type="button"
                className="button button--add"
                onClick={() => {
                  setPressed('add');
                  onAdd();
                }}
                disabled={soldOut}
                autoFocus={pressed === 'remove'}
                aria-label={soldOut ? `${product.name} is sold out` : `Add ${product.name} to cart`}
              >
                {soldOut ? 'Sold out' : 'Add'}
              </button>
            )}
          </span>
        </div>
      </div>
    </li>
  );
}

function StockBadge({ stock }: { stock: number }) {
  if (stock <= 0) return <span className="badge badge--out">Sold out</span>;
  if (stock <= LOW_STOCK) return <span className="badge badge--low">Only {stock} left</span>;
  return <span className="badge">{stock} left</span>;
}

const SMALL_WORDS = new Set(['and', 'of', 'the', 'with']);

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((word) => !SMALL_WORDS.has(word.toLowerCase()))
    .slice(0, 2)
    .map((word) => word[0] ?? '')
    .join('');
}
