// − quantity + for one dish, never past what is in stock.
export function QuantityStepper({ name, quantity, max, onChange }: { name: string; quantity: number; max: number; onChange(quantity: number): void }) {
  return (
    <div className="stepper" role="group" aria-label={`Quantity of ${name}`}>
      <button type="button" onClick={() => onChange(quantity - 1)} aria-label={quantity === 1 ? `Remove ${name}` : `One fewer ${name}`}>
        {quantity === 1 ? '×' : '−'}
      </button>
      <output aria-live="polite" aria-label={`${quantity} in cart`}>
        {quantity}
      </output>
      <button type="button" onClick={() => onChange(quantity + 1)} disabled={quantity >= max} aria-label={`One more ${name}`}>
        +
      </button>
    </div>
  );
}
