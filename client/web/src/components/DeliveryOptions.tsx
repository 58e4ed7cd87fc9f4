// Delivery, express or collection: a radio group with each option's cost.
import type { DeliveryOption } from '../hooks/useMenu.js';

export function DeliveryOptions({ options, value, onChange, error }: { options: DeliveryOption[]; value: string | null; onChange(id: string): void; error?: string | undefined }) {
  return (
    <fieldset className="choices" aria-describedby={error ? 'delivery-error' : undefined}>
      <legend>Delivery</legend>
      {options.map((option) => (
        <label key={option.id} className="choice">
          <input type="radio" name="delivery" value={option.id} checked={value === option.id} onChange={() => onChange(option.id)} />
          <span className="choice__text">
            <strong>{option.name}</strong>
            <span className="muted">{option.description}</span>
          </span>
          <span className="choice__price">{option.cost.minorUnits === 0 ? 'Free' : option.cost.formatted}</span>
        </label>
      ))}
      {error && (
        <p id="delivery-error" className="field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
