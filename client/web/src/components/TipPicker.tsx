// A tip for the rider: none, a share of the subtotal, or an amount in pounds.
import { useState } from 'react';

export const TIP_PERCENTAGES = [10, 15, 20] as const;
/** The cluster's cap on a tip: £100. */
export const TIP_MINOR_MAX = 10_000;

export type Tip = { kind: 'none' } | { kind: 'percent'; percent: number } | { kind: 'custom'; text: string };

/** The tip in pence, or an error message for a custom amount that is not one. */
export function tipMinorUnits(tip: Tip, subtotalMinor: number): { minor: number } | { error: string } {
  switch (tip.kind) {
    case 'none':
      return { minor: 0 };
    case 'percent':
      return { minor: Math.round((subtotalMinor * tip.percent) / 100) };
    case 'custom': {
      const text = tip.text.trim().replace(/^£/, '');
      if (text === '') return { minor: 0 };
      if (!/^\d{1,5}(\.\d{1,2})?$/.test(text)) return { error: 'Enter an amount in pounds, like 2.50.' };
      const [pounds = '0', pence = ''] = text.split('.');
      const minor = Number(pounds) * 100 + Number(pence.padEnd(2, '0'));
      return minor > TIP_MINOR_MAX ? { error: 'A tip can be at most £100.' } : { minor };
    }
  }
}

export function TipPicker({ tip, onChange, error }: { tip: Tip; onChange(tip: Tip): void; error?: string | undefined }) {
  const [customText, setCustomText] = useState(tip.kind === 'custom' ? tip.text : '');
  const choice = tip.kind === 'percent' ? `p${tip.percent}` : tip.kind;
  return (
    <fieldset className="choices tips" aria-describedby={error ? 'tip-error' : 'tip-hint'}>
      <legend>Tip for your rider</legend>
      <p id="tip-hint" className="field__hint">
        Every penny goes to the rider.
      </p>
      <div className="tips__row">
        <label className="pill">
          <input type="radio" name="tip" checked={choice === 'none'} onChange={() => onChange({ kind: 'none' })} />
          <span>No tip</span>
        </label>
        {TIP_PERCENTAGES.map((percent) => (
          <label key={percent} className="pill">
            <input type="radio" name="tip" checked={choice === `p${percent}`} onChange={() => onChange({ kind: 'percent', percent })} />
            <span>{percent}%</span>
          </label>
        ))}
        <label className="pill">
          <input type="radio" name="tip" checked={choice === 'custom'} onChange={() => onChange({ kind: 'custom', text: customText })} />
          <span>Other</span>
        </label>
      </div>
      {tip.kind === 'custom' && (
        <div className="field tips__custom">
          <label htmlFor="tip-amount">Tip amount (£)</label>
          <input
            id="tip-amount"
            inputMode="decimal"
            autoFocus
            placeholder="2.50"
            value={customText}
            aria-invalid={error ? true : undefined}
            onChange={(event) => {
              setCustomText(event.target.value);
              onChange({ kind: 'custom', text: event.target.value });
            }}
          />
        </div>
      )}
      {error && (
        <p id="tip-error" className="field__error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
