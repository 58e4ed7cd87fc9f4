// A returning customer: their details, to confirm or to edit.
import type { Customer } from '../hooks/useCustomer.js';
import { formatPhone } from '../phone.js';
import { PageTitle } from './PageTitle.js';

export function CustomerCard({ customer, onConfirm, onEdit }: { customer: Customer; onConfirm(): void; onEdit(): void }) {
  return (
    <section className="card customer-card" aria-labelledby="welcome-title">
      <PageTitle id="welcome-title" title={`Welcome back, ${customer.firstName}!`} />
      <p className="muted">Shall we deliver to the same place?</p>
      <dl className="details">
        <div>
          <dt>Name</dt>
          <dd>
            {customer.firstName} {customer.lastName}
          </dd>
        </div>
        <div>
          <dt>Phone</dt>
          <dd>{formatPhone(customer.phone)}</dd>
        </div>
        <AddressRow customer={customer} />
      </dl>
      <div className="actions">
        <button type="button" className="button button--ghost" onClick={onEdit}>
          Edit details
        </button>
        <button type="button" className="button button--primary" onClick={onConfirm} autoFocus>
          Yes, deliver here
        </button>
      </div>
    </section>
  );
}

/** Where a customer's orders go, as a row of a details list. */
export function AddressRow({ customer }: { customer: Pick<Customer, 'address' | 'postcode'> }) {
  return (
    <div>
      <dt>Address</dt>
      <dd>
        {customer.address}, {customer.postcode}
      </dd>
    </div>
  );
}
