// Contact details: created on a first visit (the API returns the token the
// browser keeps), or edited by a returning customer. Every message under a
// field comes from the API's UserErrors; what is typed is kept as a draft.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { PostcodeQuery, SaveContactDetailsMutation } from '../../../operations.js';
import { isRetryable, sortErrors, type UserError } from '../errors.js';
import type { Customer } from '../hooks/useCustomer.js';
import { formatPhone } from '../phone.js';
import { contactKeyStore, readJson, writeJson } from '../storage.js';
import { Field } from './Field.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PageTitle } from './PageTitle.js';

const FIELDS = ['firstName', 'lastName', 'phone', 'postcode', 'address'] as const;
type Details = Record<(typeof FIELDS)[number], string>;
const EMPTY: Details = { firstName: '', lastName: '', phone: '', postcode: '', address: '' };

function parseDraft(value: unknown): Details | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const draft = { ...EMPTY };
  for (const key of FIELDS) if (typeof record[key] === 'string') draft[key] = String(record[key]).slice(0, 200);
  return draft;
}

interface ContactFormProps {
  /** The customer being edited; null on a first visit. */
  customer: Customer | null;
  onSaved(customer: Customer, token: string | null): void;
  onCancel?: () => void;
}

export function ContactForm({ customer, onSaved, onCancel }: ContactFormProps) {
  const [details, setDetails] = useState<Details>(() => (customer ? pick(customer) : (readJson('draft', parseDraft) ?? EMPTY)));
  const [errors, setErrors] = useState<UserError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [saving, save] = useMutation(SaveContactDetailsMutation);
  const form = useRef<HTMLFormElement>(null);

  // A first visit's half-typed details survive a reload or an outage.
  useEffect(() => {
    if (!customer) writeJson('draft', details);
  }, [customer, details]);

  // The postcode is checked as soon as the customer leaves the field.
  const [checkedPostcode, setCheckedPostcode] = useState<string | null>(null);
  const [postcodeCheck, recheckPostcode] = useQuery({ query: PostcodeQuery, variables: { postcode: checkedPostcode ?? '' }, pause: !checkedPostcode });
  // Only an answer about the postcode now in the field counts (urql keeps the last answer while asking again).
  const answered = !postcodeCheck.fetching && postcodeCheck.operation?.variables.postcode === details.postcode.trim();
  const postcodeErrors = answered ? (postcodeCheck.data?.postcode.errors ?? []) : [];

  const sorted = sortErrors(errors.length > 0 ? errors : postcodeErrors, FIELDS);
  const update = (key: keyof Details) => (value: string) => {
    setDetails((previous) => ({ ...previous, [key]: value }));
    setErrors((previous) => previous.filter((e) => e.field?.[0] !== key));
  };

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    setFailure(null);
    const result = await save({ input: { ...details, idempotencyKey: contactKeyStore.get({ details, customer: customer?.id ?? null }) } });
    const payload = result.data?.saveContactDetails;
    if (!payload) {
      setFailure('Your details could not be saved. Please try again.');
      return;
    }
    setErrors(payload.errors);
    if (payload.customer) {
      contactKeyStore.clear();
      writeJson('draft', null);
      onSaved(payload.customer, payload.token ?? null);
      return;
    }
    // Move focus to the first field the API complained about.
    const first = payload.errors.find((e) => e.field?.[0])?.field?.[0];
    if (first) form.current?.querySelector<HTMLInputElement>(`#${first}`)?.focus();
  }

  const retryable = errors.find(isRetryable);
  const retry = retryable && (
    <button type="button" className="link-button" onClick={() => void submit()}>
      Try again
    </button>
  );
  const fieldError = (key: keyof Details) => sorted.byField[key];
  // The early check failed for want of the service: ask it again.
  const recheck = errors.length === 0 && postcodeErrors.some(isRetryable) && (
    <button type="button" className="link-button" onClick={() => recheckPostcode({ requestPolicy: 'network-only' })}>
      Try again
    </button>
  );
  const fieldAction = (key: keyof Details) => (retryable?.field?.[0] === key ? retry : key === 'postcode' && recheck ? recheck : undefined);

  return (
    <form ref={form} className="card contact-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="contact-title">
      <PageTitle id="contact-title" title={customer ? 'Edit your details' : 'Where should we deliver?'} />
      <p className="muted">{customer ? 'We use these for every order.' : 'Tell us who you are once; we will remember you on this device.'}</p>
      {(failure || sorted.general.length > 0) && (
        <ErrorNotice>
          {failure ?? sorted.general.map((e) => e.message).join(' ')}
          {sorted.general.some(isRetryable) && retry}
        </ErrorNotice>
      )}
      <div className="form-grid">
        <Field id="firstName" label="First name" autoComplete="given-name" value={details.firstName} onChange={update('firstName')} error={fieldError('firstName')} />
        <Field id="lastName" label="Last name" autoComplete="family-name" value={details.lastName} onChange={update('lastName')} error={fieldError('lastName')} />
        <Field id="phone" label="Phone" type="tel" autoComplete="tel" inputMode="tel" value={details.phone} onChange={update('phone')} error={fieldError('phone')} hint="A UK number, or +44…" />
        <Field
          id="postcode"
          label="Postcode"
          autoComplete="postal-code"
          autoCapitalize="characters"
          value={details.postcode}
          onChange={update('postcode')}
          onBlur={() => setCheckedPostcode(details.postcode.trim() || null)}
          error={fieldError('postcode')}
          action={fieldAction('postcode')}
        />
        <Field id="address" label="Address" autoComplete="street-address" value={details.address} onChange={update('address')} error={fieldError('address')} wide />
      </div>
      <div className="actions">
        {onCancel && (
          <button type="button" className="button button--ghost" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={saving.fetching} aria-busy={saving.fetching}>
          {saving.fetching ? 'Saving…' : customer ? 'Save details' : 'Continue to the menu'}
        </button>
      </div>
    </form>
  );
}

function pick(customer: Customer): Details {
  // The number as the customer would type it (the API takes either form).
  return { firstName: customer.firstName, lastName: customer.lastName, phone: formatPhone(customer.phone), postcode: customer.postcode, address: customer.address };
}
