// − quantity + for one dish, never past what is in stock. `autoFocus` puts
// the focus on "+" as it appears (on "−" when no more can be added): the
// stepper replaces the button the customer just pressed.
export function QuantityStepper({ name, quantity, max, onChange, autoFocus = false }: { name: string; quantity: number; max: number; onChange(quantity: number): void; autoFocus?: boolean }) {
  const full = quantity >= max;
  return (
    <div className="stepper" role="group" aria-label={`Quantity of ${name}`}>
      <button type="button" onClick={() => onChange(quantity - 1)} aria-label={quantity === 1 ? `Remove ${name}` : `One fewer ${name}`} autoFocus={autoFocus && full}>
        {quantity === 1 ? '×' : '−'}
      </button>
      <output aria-live="polite" aria-label={`${quantity} in cart`}>
        {quantity}
      </output>
      <button type="button" onClick={() => onChange(quantity + 1)} disabled={full} aria-label={`One more ${name}`} autoFocus={autoFocus && !full}>
        +
      </button>
    </div>
  );
}
