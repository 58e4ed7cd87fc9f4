// @vitest-environment jsdom
// The cart hook in a DOM: kept in localStorage across a reload, and shrunk,
// with a note, when live stock drops below what it holds.
import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useCart } from '../../client/web/src/hooks/useCart.ts';

afterEach(() => localStorage.clear());

describe('useCart', () => {
  it('keeps the cart in the browser, so a reload loses nothing', () => {
    const stock = new Map([['pad-thai', 10]]);
    const first = renderHook(() => useCart(stock));
    act(() => first.result.current.add('pad-thai'));
    act(() => first.result.current.set('pad-thai', 3));
    first.unmount();

    const again = renderHook(() => useCart(stock));
    expect(again.result.current.lines).toEqual([{ productId: 'pad-thai', quantity: 3 }]);
    act(() => again.result.current.clear());
    expect(localStorage.getItem('just-hungry.cart')).toBeNull();
  });

  it('shrinks a line when the stock drops, and says so until dismissed', () => {
    const { result, rerender } = renderHook(({ stock }) => useCart(stock), { initialProps: { stock: new Map([['ramen', 5]]) } });
    act(() => result.current.set('ramen', 4));
    expect(result.current.lines).toEqual([{ productId: 'ramen', quantity: 4 }]);

    rerender({ stock: new Map([['ramen', 2]]) });
    expect(result.current.lines).toEqual([{ productId: 'ramen', quantity: 2 }]);
    expect(result.current.adjustments).toEqual([{ productId: 'ramen', from: 4, to: 2 }]);

    rerender({ stock: new Map([['ramen', 0]]) });
    expect(result.current.lines).toEqual([]);
    expect(result.current.adjustments).toEqual([{ productId: 'ramen', from: 2, to: 0 }]);
    act(() => result.current.add('ramen'));
    expect(result.current.lines).toEqual([]);

    act(() => result.current.dismissAdjustments());
    expect(result.current.adjustments).toEqual([]);
  });
});
