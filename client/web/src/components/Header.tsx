// The brand, the customer's two tabs, the staff bar while a member of staff
// is signed in to this tab (StaffBar says why it shows only then) and, while
// ordering, where the order goes. A tab is marked as the page shown only on
// that page (an order's page sits under Orders); checkout is none of them.
import type { Customer } from '../hooks/useCustomer.js';
import type { Page, Route } from '../router.js';
import { Link } from './Link.js';
import { StaffBar } from './StaffBar.js';

const TABS: { page: 'menu' | 'orders'; label: string }[] = [
  { page: 'menu', label: 'Menu' },
  { page: 'orders', label: 'Orders' },
];

function currentness(route: Route, tab: Page): 'page' | 'true' | undefined {
  if (route.page === tab) return 'page';
  if (route.page === 'order' && tab === 'orders') return 'true';
  return undefined;
}

export function Header({ route, customer, onEdit }: { route: Route; customer: Customer | null; onEdit(): void }) {
  return (
    <header className="header">
      <div className="header__inner">
        <Link className="brand" to={{ page: 'menu' }}>
          <span className="brand__mark" aria-hidden="true">
            JH
          </span>
          Just Hungry
        </Link>
        <nav aria-label="Main">
          <ul>
            {TABS.map((tab) => (
              <li key={tab.page}>
                <Link to={{ page: tab.page }} aria-current={currentness(route, tab.page)}>
                  {tab.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </div>
      <StaffBar route={route} />
      {customer && (
        <div className="deliver-to">
          <span>
            Delivering to <strong>{customer.firstName}</strong>, {customer.postcode}
          </span>
          <button type="button" className="link-button" onClick={onEdit}>
            Change
          </button>
        </div>
      )}
    </header>
  );
}
