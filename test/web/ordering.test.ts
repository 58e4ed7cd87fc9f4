// The web client end to end: headless Chromium against a real gateway and
// replicas (only postcodes.io is stood in for). Every screen is checked with
// axe-core as it is reached (and, on a phone, for touch targets of 44 px).
// Screenshots of each main screen go to test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { TestCluster, waitFor } from '../helpers/cluster.ts';
import { type PostcodesMock, startPostcodesMock } from '../helpers/postcodes-mock.ts';
import { ORDERS, addStaff, allOrders, newCustomer, placeOrder, stockLevels } from '../helpers/shop.ts';
import {
  LAPTOP,
  PHONE,
  accessibilityProblems,
  ensureWebBuild,
  fillDetails,
  focused,
  launchBrowser,
  screenshot,
  signInStaff,
  smallTouchTargets,
  storedToken,
  visitor,
  waitForText,
} from './browser.ts';

const ADA = { firstName: 'Ada', lastName: 'Lovelace', phone: '020 7946 0018', postcode: 'sw1a 1aa', address: '1 Test Street, London' };

describe('the web client', () => {
  let mock: PostcodesMock;
  let cluster: TestCluster;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ensureWebBuild();
    mock = await startPostcodesMock();
    [cluster, browser] = await Promise.all([TestCluster.start({ replicas: 3, postcodesUrl: mock.url }), launchBrowser()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await cluster?.close();
    await mock?.close();
  });

  async function open(viewport: typeof PHONE, path = '/') {
    const opened = await visitor(browser, cluster.gatewayUrl, viewport);
    contexts.push(opened.context);
    await opened.page.goto(path);
    return opened;
  }

  /** A returning customer: a token made through the API, kept in the browser as the app keeps it. */
  async function returning(viewport: typeof PHONE, path = '/', details: Partial<typeof ADA> = {}) {
    const token = await newCustomer(cluster, details);
    const opened = await open(viewport, '/');
    await opened.page.evaluate((t) => localStorage.setItem('just-hungry.token', t), token);
    await opened.page.goto(path);
    return { ...opened, token };
  }

  async function confirmDetails(page: Page) {
    await page.getByRole('button', { name: 'Yes, deliver here' }).click();
    await page.getByRole('heading', { name: 'Menu' }).waitFor();
  }

  /** Checks the screen as it is now with axe-core, and on a phone its touch targets; problems are gathered, not thrown, so one run reports them all. */
  async function audit(page: Page, state: string, found: string[]) {
    found.push(...(await accessibilityProblems(page, state)));
    if ((page.viewportSize()?.width ?? 0) < 600) found.push(...(await smallTouchTargets(page, state)));
  }

  /** The current page link in the main navigation, if any. */
  function currentTab(page: Page): Promise<string[]> {
    return page.getByRole('navigation', { name: 'Main' }).locator('[aria-current]').evaluateAll((links) => links.map((l) => `${l.textContent} (${l.getAttribute('aria-current')})`));
  }

  it('takes a first-time customer from contact details to a placed order, once, on a phone, to an order page that survives a reload', async () => {
    const { page, problems } = await open(PHONE);
    const a11y: string[] = [];
    await page.getByRole('heading', { name: 'Where should we deliver?' }).waitFor();
    await audit(page, 'contact form', a11y);

    // Every message comes from the API, under its field.
    await fillDetails(page, { ...ADA, lastName: '', phone: '12', postcode: 'ZZ9 9ZZ' });
    // Leaving the postcode checks it: its message appears under the field and moves the button down. On a loaded machine
    // it could do so between the press and the release of a click, which then pressed nothing; a person waits for the
    // page to settle, and so does this.
    await waitForText(page.locator('#postcode-error'), 'ZZ9 9ZZ is not a real UK postcode.');
    await page.getByRole('button', { name: 'Continue to the menu' }).click();
    await waitForText(page.locator('#lastName-error'), 'Last name is required.');
    await waitForText(page.locator('#phone-error'), 'not a valid phone number');
    expect(await page.getByLabel('Last name').getAttribute('aria-invalid')).toBe('true');
    await fillDetails(page, { lastName: ADA.lastName, phone: ADA.phone });
    await page.getByRole('button', { name: 'Continue to the menu' }).click();
    await waitForText(page.locator('#postcode-error'), 'ZZ9 9ZZ is not a real UK postcode.');
    expect(await page.getByLabel('Postcode').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'contact-errors-phone');
    await audit(page, 'contact form with errors', a11y);

    await fillDetails(page, { postcode: ADA.postcode });
    await page.getByRole('button', { name: 'Continue to the menu' }).click();
    await page.getByRole('heading', { name: 'Menu' }).waitFor();
    // The new page is announced: its heading takes the focus, and the title says where we are.
    await waitFor('focus on the menu heading', async () => (await focused(page)) === 'h1 "Menu"');
    expect(await page.title()).toBe('Menu · Just Hungry');
    const token = await storedToken(page);
    expect(token).toMatch(/^jh_/);

    const margherita = page.getByTestId('dish-margherita');
    await margherita.getByRole('button', { name: 'Add Margherita Pizza to cart' }).click();
    await margherita.getByRole('button', { name: 'One more Margherita Pizza' }).click();
    await page.getByTestId('dish-pad-thai').getByRole('button', { name: 'Add Pad Thai to cart' }).click();
    await waitForText(page.getByTestId('cart-subtotal'), '£30.00'); // 2 × £9.50 + £11.00, priced by orderQuote
    await waitForText(page.getByRole('button', { name: /View order/ }), '£30.00');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'menu-phone', false);
    await audit(page, 'menu with a cart', a11y);

    await page.getByRole('button', { name: /View order · 3 items/ }).click();
    await page.getByRole('heading', { name: 'Checkout' }).waitFor();
    await waitFor('focus on the checkout heading', async () => (await focused(page)) === 'h1 "Checkout"');
    expect(await currentTab(page)).toEqual([]); // checkout is none of the tabs
    await page.getByRole('radio', { name: /Express delivery/ }).check();
    await page.getByRole('radio', { name: '10%' }).check();
    // £30.00 + £5.99 express + £3.00 tip
    await waitForText(page.getByTestId('checkout-costs'), '£38.99');
    await screenshot(page, 'checkout-phone');
    await audit(page, 'checkout', a11y);

    const place = page.getByRole('button', { name: /Place order · £38.99/ });
    await place.dblclick();
    // The confirmation is the order's own page: status, dishes, where it goes and what it costs.
    const confirmation = page.getByTestId('order-page');
    await waitForText(confirmation, /Thanks, Ada! Order #\d+ is placed\./);
    const orderId = /Order #(\d+)/.exec(await confirmation.innerText())?.[1];
    expect(new URL(page.url()).pathname).toBe(`/orders/${orderId}`);
    for (const fact of ['Placed', '2× Margherita Pizza', '1× Pad Thai', 'Express delivery', '1 Test Street, London, SW1A 1AA', '£38.99']) await waitForText(confirmation, fact);
    await waitFor('focus on the confirmation', async () => (await focused(page)).startsWith('h1 "Thanks, Ada!'));
    expect(await currentTab(page)).not.toContain('Menu (page)');
    await screenshot(page, 'confirmation-phone');
    await audit(page, 'confirmation', a11y);

    // An anxious reload keeps the order in view (not "Your cart is empty").
    await page.reload();
    const again = page.getByTestId('order-page');
    await waitForText(again.getByRole('heading', { level: 1 }), `Order #${orderId}`);
    for (const fact of ['Placed', '2× Margherita Pizza', '1× Pad Thai', 'Express delivery', '1 Test Street, London, SW1A 1AA', '£38.99']) await waitForText(again, fact);
    expect(await page.getByText('Your cart is empty').count()).toBe(0);
    await audit(page, 'order page', a11y);

    const orders = await allOrders(cluster, token ?? '');
    expect(orders).toHaveLength(1);
    const response = await cluster.gql(ORDERS, { first: 5 }, token ?? '');
    const order = response.data?.viewer.orders.edges[0].node;
    expect(order.total.minorUnits).toBe(3899);
    expect(order.deliveryOption.id).toBe('express');
    expect(order.lines.map((l: { productName: string; quantity: number }) => [l.productName, l.quantity])).toEqual([
      ['Margherita Pizza', 2],
      ['Pad Thai', 1],
    ]);
    expect(await page.evaluate(() => localStorage.getItem('just-hungry.cart'))).toBeNull();
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
  }, 90_000);

  it('signs up, places and cancels once when each answer is lost on the way back: the retry gets the first answer', async () => {
    const { page, problems } = await open(LAPTOP);
    // The first request of each of these reaches the gateway and is done there, but its answer never reaches the
    // browser (the connection is reset); the app sends it again, with the same idempotency key.
    const lost = new Map<string, unknown>();
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      const operation = /mutation (SaveContactDetails|PlaceOrder|CancelOrder)\b/.exec(body)?.[1];
      if (!operation || lost.has(operation)) return route.continue();
      const answer = await route.fetch();
      lost.set(operation, await answer.json());
      return route.abort('connectionreset');
    });

    await page.getByRole('heading', { name: 'Where should we deliver?' }).waitFor();
    await fillDetails(page, { ...ADA, firstName: 'Lost' });
    await page.getByRole('button', { name: 'Continue to the menu' }).click();
    await page.getByRole('heading', { name: 'Menu' }).waitFor();
    const signUp = lost.get('SaveContactDetails') as { data: { saveContactDetails: { token: string } } };
    // The customer the lost answer named, with its token: not a second customer.
    expect(await storedToken(page)).toBe(signUp.data.saveContactDetails.token);

    await page.getByTestId('dish-margherita').getByRole('button', { name: 'Add Margherita Pizza to cart' }).click();
    await page.getByRole('button', { name: 'Go to checkout' }).click();
    await page.getByRole('heading', { name: 'Checkout' }).waitFor();
    await page.getByRole('button', { name: /Place order/ }).click();
    await waitForText(page.getByTestId('order-page'), /Thanks, Lost! Order #\d+ is placed\./);
    const placed = lost.get('PlaceOrder') as { data: { placeOrder: { order: { id: string } } } };
    const token = signUp.data.saveContactDetails.token;
    expect((await allOrders(cluster, token)).map((o) => o.id)).toEqual([placed.data.placeOrder.order.id]);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
    const card = page.getByTestId(`order-${placed.data.placeOrder.order.id}`);
    await card.getByRole('button', { name: 'Cancel order' }).click();
    await card.getByRole('button', { name: 'Yes, cancel order' }).click();
    await waitForText(card.locator('.badge'), 'Cancelled');
    expect(lost.has('CancelOrder')).toBe(true);
    expect(await card.locator('[role="alert"]').count()).toBe(0);
    expect((await allOrders(cluster, token)).map((o) => o.status)).toEqual(['CANCELLED']);
    // The reset connections are the browser's own console errors; nothing else went wrong.
    expect(problems.filter((p) => !/ERR_CONNECTION_RESET|Failed to load resource/.test(p))).toEqual([]);
  }, 90_000);

  it('says when the postcode service cannot be reached, and offers to try again', async () => {
    const { page, problems } = await open(LAPTOP);
    // The postcode last, sent with Enter: the save itself meets the failing service.
    await fillDetails(page, { firstName: ADA.firstName, lastName: ADA.lastName, phone: ADA.phone, address: ADA.address });
    mock.setMode('error500');
    try {
      await page.getByLabel('Postcode').fill('CR2 6XH');
      await page.getByLabel('Postcode').press('Enter');
      const error = page.locator('#postcode-error');
      await waitForText(error, 'could not be reached');
      await error.getByRole('button', { name: 'Try again' }).waitFor();
      expect(await page.getByLabel('Postcode').getAttribute('aria-invalid')).toBe('true');
      await screenshot(page, 'postcode-unreachable-laptop');
      expect(await accessibilityProblems(page, 'postcode service unreachable')).toEqual([]);
    } finally {
      mock.setMode('normal');
    }
    await page.locator('#postcode-error').getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Menu' }).waitFor();
    expect(await storedToken(page)).toMatch(/^jh_/);
    expect(problems).toEqual([]);
  }, 60_000);

  it('recognises a returning customer, shows their details, and saves an edit without a new token', async () => {
    const { page, token, problems } = await returning(LAPTOP, '/', { firstName: 'Grace', lastName: 'Hopper', postcode: 'EC1A 1BB' });
    const a11y: string[] = [];
    const welcome = page.getByRole('region', { name: 'Welcome back, Grace!' });
    await waitForText(welcome, 'Grace Hopper');
    await waitForText(welcome, 'EC1A 1BB');
    // The phone number as people write it, not as the API stores it (+442079460018).
    await waitForText(welcome, '020 7946 0018');
    expect(await welcome.innerText()).not.toContain('+44');
    await screenshot(page, 'returning-laptop');
    await audit(page, 'welcome back', a11y);

    await page.getByRole('button', { name: 'Edit details' }).click();
    expect(await page.getByLabel('First name').inputValue()).toBe('Grace');
    expect(await page.getByLabel('Phone').inputValue()).toBe('020 7946 0018');
    await audit(page, 'edit details', a11y);
    await fillDetails(page, { address: '2 Harbour Road, London' });
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByRole('heading', { name: 'Menu' }).waitFor();
    await waitForText(page.locator('.deliver-to'), 'Delivering to Grace, EC1A 1BB');

    expect(await storedToken(page)).toBe(token);
    const viewer = await cluster.gql('{ viewer { address } }', {}, token);
    expect(viewer.data?.viewer.address).toBe('2 Harbour Road, London');

    // The laptop ordering page, with something in the cart, for the README.
    await page.getByTestId('dish-chicken-katsu').getByRole('button', { name: /Add/ }).click();
    await page.getByTestId('dish-brownie').getByRole('button', { name: /Add/ }).click();
    await page.getByTestId('dish-brownie').getByRole('button', { name: /One more/ }).click();
    await waitForText(page.getByTestId('cart-subtotal'), '£21.50');
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'menu-laptop', false);
    await audit(page, 'menu with a cart', a11y);
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows stock live and never lets the cart hold more than is left', async () => {
    const { page, problems } = await returning(LAPTOP);
    await confirmDetails(page);
    const ramen = page.getByTestId('dish-ramen');
    const other = await newCustomer(cluster, { firstName: 'Other' });
    const left = (await stockLevels(cluster)).get('ramen') ?? 0;
    expect((await placeOrder(cluster, other, [{ productId: 'ramen', quantity: left - 2 }])).data?.placeOrder.errors).toEqual([]);
    await waitForText(ramen, 'Only 2 left'); // stockChanged, no reload

    await ramen.getByRole('button', { name: 'Add Tonkotsu Ramen to cart' }).click();
    await ramen.getByRole('button', { name: 'One more Tonkotsu Ramen' }).click();
    expect(await ramen.getByRole('button', { name: 'One more Tonkotsu Ramen' }).isDisabled()).toBe(true);

    // Someone else takes one: the cart shrinks to what is left, and says so.
    await placeOrder(cluster, other, [{ productId: 'ramen', quantity: 1 }]);
    await waitForText(page.getByRole('region', { name: /Your order/ }), 'Only 1 Tonkotsu Ramen left: your cart now has 1.');
    await waitForText(page.getByTestId('cart-line-ramen'), '£13.50');

    // And the last one: sold out, out of the cart, and no way to add it.
    await placeOrder(cluster, other, [{ productId: 'ramen', quantity: 1 }]);
    await waitForText(ramen, 'Sold out');
    await waitForText(page.getByRole('region', { name: /Your order/ }), 'Tonkotsu Ramen sold out and was removed from your cart.');
    expect(await ramen.getByRole('button', { name: 'Tonkotsu Ramen is sold out' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('cart-line-ramen').count()).toBe(0);
    await screenshot(page, 'sold-out-laptop');
    expect(await accessibilityProblems(page, 'sold out, cart shrunk')).toEqual([]);
    expect((await stockLevels(cluster)).get('ramen')).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows new orders and status changes live, and cancels an order after a confirmation', async () => {
    // Opened straight at /orders, as in a new tab: looking at orders needs no delivery confirmation.
    const { page, token, problems } = await returning(PHONE, '/orders');
    const a11y: string[] = [];
    await waitForText(page.locator('main'), 'You have not ordered anything yet.');
    expect(await page.getByText('Shall we deliver to the same place?').count()).toBe(0);
    await page.getByRole('heading', { name: 'Your orders', level: 1 }).waitFor();
    expect(await currentTab(page)).toEqual(['Orders (page)']);

    // Placed elsewhere (another tab, the terminal client): it appears without a reload.
    const first = (await placeOrder(cluster, token, [{ productId: 'falafel-wrap', quantity: 2 }])).data?.placeOrder.order;
    const second = (await placeOrder(cluster, token, [{ productId: 'caesar-salad', quantity: 1 }])).data?.placeOrder.order;
    const firstCard = page.getByTestId(`order-${first.id}`);
    const secondCard = page.getByTestId(`order-${second.id}`);
    await waitForText(firstCard, '2× Falafel Wrap');
    await waitForText(secondCard, 'Placed');
    // Newest first.
    const ids = await page.locator('.order-list > li').evaluateAll((items) => items.map((item) => item.getAttribute('data-testid')));
    expect(ids).toEqual([`order-${second.id}`, `order-${first.id}`]);

    // Cancelled elsewhere: the status changes here, live.
    await cluster.gql('mutation ($input: CancelOrderInput!) { cancelOrder(input: $input) { errors { code } } }', { input: { orderId: first.id } }, token);
    await waitForText(firstCard.locator('.badge'), 'Cancelled');

    // Cancelled here, after saying yes.
    await secondCard.getByRole('button', { name: 'Cancel order' }).click();
    await waitForText(secondCard.getByRole('alertdialog'), `Cancel order #${second.id}?`);
    await screenshot(page, 'cancel-confirm-phone');
    await audit(page, 'orders, asking to cancel', a11y);
    await secondCard.getByRole('button', { name: 'Keep order' }).click();
    expect(await secondCard.locator('.badge').innerText()).toBe('Placed');
    await secondCard.getByRole('button', { name: 'Cancel order' }).click();
    await secondCard.getByRole('button', { name: 'Yes, cancel order' }).click();
    await waitForText(secondCard.locator('.badge'), 'Cancelled');
    const statuses = (await allOrders(cluster, token)).map((o) => o.status);
    expect(statuses).toEqual(['CANCELLED', 'CANCELLED']);

    await page.getByRole('button', { name: 'Active', pressed: false }).click();
    await waitForText(page.locator('main'), 'You have no active orders.');
    expect(await page.locator('.order-list > li').count()).toBe(0);
    await page.getByRole('button', { name: 'All' }).click();
    await waitForText(page.locator('.order-list'), `Order #${second.id}`);
    await screenshot(page, 'orders-phone');
    await audit(page, 'orders', a11y);

    // Each order leads to its own page.
    await secondCard.getByRole('link', { name: `Order #${second.id}` }).click();
    await waitForText(page.getByTestId('order-page').getByRole('heading', { level: 1 }), `Order #${second.id}`);
    await waitForText(page.getByTestId('order-page'), 'Cancelled');
    expect(new URL(page.url()).pathname).toBe(`/orders/${second.id}`);
    await audit(page, 'a cancelled order', a11y);
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('places an order while the primary replica is killed, with no error shown, and the cluster panel follows', async () => {
    const panel = await open(LAPTOP, '/cluster');
    // The role changes are for operators: one signs in on the panel (test/web/staff.test.ts has the rest of the staff's side).
    await signInStaff(panel.page, (await addStaff(cluster, 'Opal Ops', 'operator')).token);
    await waitForText(panel.page.getByTestId('staff-bar'), 'Opal Ops');
    const before = await cluster.status();
    await waitForText(panel.page.getByTestId('epoch'), String(before.view.epoch));
    await waitForText(panel.page.getByTestId('primary'), `Replica ${before.view.primary}`);
    for (const name of ['1', '2', '3']) await waitForText(panel.page.getByTestId(`replica-${name}`), /Primary|Backup/);
    await screenshot(panel.page, 'cluster-before-laptop');
    const a11y = await accessibilityProblems(panel.page, 'cluster');

    const { page, token, problems } = await returning(PHONE);
    await confirmDetails(page);
    await page.getByTestId('dish-beef-burger').getByRole('button', { name: /Add/ }).click();
    await page.getByRole('button', { name: /View order/ }).click();
    const place = page.getByRole('button', { name: /Place order · £/ });
    await waitFor('the quote', async () => (await place.isEnabled()) || null);

    const primary = await cluster.primary();
    await Promise.all([place.click(), cluster.kill(`replica ${primary}`)]);
    await waitForText(page.getByTestId('order-page'), /Order #\d+ is placed/, 30_000);
    expect(await page.locator('.notice--error, .field__error, [data-testid="offline-banner"]').count()).toBe(0);
    expect(await allOrders(cluster, token)).toHaveLength(1);

    // The panel shows the new epoch and primary, and the old one offline, without a reload.
    const after = await cluster.waitForView(2);
    expect(after.view.epoch).toBeGreaterThan(before.view.epoch);
    await waitForText(panel.page.getByTestId('primary'), `Replica ${after.view.primary}`);
    await waitForText(panel.page.getByTestId('epoch'), String(after.view.epoch));
    await waitForText(panel.page.getByTestId(`replica-${primary}`), 'Offline');
    await waitForText(panel.page.getByRole('region', { name: 'Role changes' }), `Replica ${primary}: Primary → Offline`);
    // An offline replica is told apart without dimming its text below 4.5:1.
    a11y.push(...(await accessibilityProblems(panel.page, 'cluster with a replica offline')));

    // It comes back and catches up, live.
    cluster.startReplica(primary);
    await cluster.waitForView(3);
    await waitForText(panel.page.getByTestId(`replica-${primary}`), 'Backup');
    await screenshot(panel.page, 'cluster-laptop', false);
    await screenshot(page, 'confirmation-after-failover-phone');
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    expect(panel.problems).toEqual([]);
  }, 90_000);

  it('says when the gateway cannot be reached, reconnects by itself, and keeps what was typed', async () => {
    const { page } = await returning(LAPTOP);
    await confirmDetails(page);
    await page.getByTestId('dish-margherita').getByRole('button', { name: /Add/ }).click();
    await page.getByRole('button', { name: 'Go to checkout' }).click();
    await page.getByRole('radio', { name: 'Other' }).check();

    await cluster.kill('gateway');
    await page.getByLabel('Tip amount (£)').fill('4.50');
    const banner = page.getByTestId('offline-banner');
    await waitForText(banner, "Can't reach Just Hungry right now.");
    await screenshot(page, 'offline-laptop', false);
    const a11y = await accessibilityProblems(page, 'gateway unreachable');

    await cluster.startGateway();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.getByLabel('Tip amount (£)').inputValue()).toBe('4.50');
    // £9.50 + £2.99 standard + £4.50 tip, priced by the restarted gateway.
    await waitForText(page.getByTestId('checkout-costs'), '£16.99', 30_000);
    await page.getByRole('button', { name: /Place order · £16.99/ }).click();
    await waitForText(page.getByTestId('order-page'), /Order #\d+ is placed/);
    expect(a11y).toEqual([]);
  }, 90_000);

  it('keeps keyboard focus where the customer acted, and skips past the menu to the cart', async () => {
    const { page, problems } = await returning(LAPTOP);
    await confirmDetails(page);
    const margherita = page.getByTestId('dish-margherita');
    await margherita.getByRole('button', { name: 'Add Margherita Pizza to cart' }).press('Enter');
    // "Add" turns into the quantity stepper: focus stays on the dish, on its "one more".
    await waitFor('focus on the stepper', async () => (await focused(page)) === 'button "One more Margherita Pizza"');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('button "Remove Margherita Pizza"');
    await page.keyboard.press('Enter');
    await waitFor('focus back on "Add"', async () => (await focused(page)) === 'button "Add Margherita Pizza to cart"');
    await page.keyboard.press('Enter');
    await waitFor('focus on the stepper again', async () => (await focused(page)) === 'button "One more Margherita Pizza"');

    // From the top of a fresh load, the second Tab offers the cart, in view; the cart is then a Tab away.
    await page.reload();
    await page.getByRole('heading', { name: 'Menu' }).waitFor();
    expect(await focused(page)).toBe('body');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a "Skip to content"');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a "Skip to your cart"');
    const skip = await page.getByRole('link', { name: 'Skip to your cart' }).boundingBox();
    expect(skip && skip.y >= 0 && skip.height > 0).toBe(true);
    expect(await accessibilityProblems(page, 'menu, skip link focused')).toEqual([]);
    await page.keyboard.press('Enter');
    let tabs = 0;
    while ((await focused(page)) !== 'button "Go to checkout"' && tabs < 5) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await focused(page)).toBe('button "Go to checkout"');
    await page.keyboard.press('Enter');
    await waitFor('focus on the checkout heading', async () => (await focused(page)) === 'h1 "Checkout"');
    expect(await page.title()).toBe('Checkout · Just Hungry');
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows new totals or says they are being updated, never old figures beside new ones', async () => {
    const { page, problems } = await returning(LAPTOP);
    await confirmDetails(page);
    // Quotes are held at the gateway's door while `holding`, so the moment between a change and its new price can be looked at.
    let holding = false;
    const held: Route[] = [];
    await page.route('**/graphql', (route) => {
      if (holding && (route.request().postData() ?? '').includes('query OrderQuote')) held.push(route);
      else void route.continue();
    });
    const release = async () => {
      holding = false;
      await Promise.all(held.splice(0).map((route) => route.continue()));
    };

    const margherita = page.getByTestId('dish-margherita');
    await margherita.getByRole('button', { name: 'Add Margherita Pizza to cart' }).click();
    const subtotal = page.getByTestId('cart-subtotal');
    await waitForText(subtotal, '£9.50');
    holding = true;
    await margherita.getByRole('button', { name: 'One more Margherita Pizza' }).click();
    await waitFor('the new quote to be asked for', () => held.length > 0);
    expect(await subtotal.innerText()).toBe('Updating…');
    expect(await page.getByRole('button', { name: 'Go to checkout' }).isEnabled()).toBe(true);
    await release();
    await waitForText(subtotal, '£19.00');

    await page.getByRole('button', { name: 'Go to checkout' }).click();
    await page.getByRole('radio', { name: '10%' }).check();
    const costs = page.getByTestId('checkout-costs');
    await waitForText(costs, '£23.89'); // £19.00 + £2.99 standard + £1.90 tip
    expect(await costs.innerText()).toContain('Standard delivery');
    holding = true;
    await page.getByRole('radio', { name: /Express delivery/ }).check();
    await waitFor('the new quote to be asked for', () => held.length > 0);
    const summary = page.getByRole('region', { name: 'Total to pay' });
    await waitForText(summary, 'Updating your total…');
    expect(await costs.count()).toBe(0); // no figures at all, rather than the new option beside the old price
    expect(await summary.innerText()).not.toMatch(/£/);
    expect(await page.getByRole('button', { name: /Place order/ }).isDisabled()).toBe(true);
    expect(await accessibilityProblems(page, 'checkout, updating')).toEqual([]);
    await release();
    await waitForText(costs, '£26.89'); // £19.00 + £5.99 express + £1.90 tip
    expect(await costs.innerText()).toMatch(/Express delivery\s+£5\.99/);
    await waitForText(page.getByRole('button', { name: /Place order/ }), '£26.89');
    expect(problems).toEqual([]);
  }, 60_000);

  it('says so when the total of a tip that is a share cannot be worked out, rather than working it out for ever', async () => {
    const { page, problems } = await returning(LAPTOP);
    await confirmDetails(page);
    // The gateway refuses every question of the cart's price alone (no delivery option): what a tip as a share waits on.
    await page.route('**/graphql', (route) => {
      const body = route.request().postData() ?? '';
      if (!body.includes('query OrderQuote') || body.includes('"deliveryOptionId":"')) return route.continue();
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ errors: [{ message: 'Refused.', extensions: { code: 'QUERY_TOO_COSTLY' } }] }) });
    });
    await page.getByTestId('dish-margherita').getByRole('button', { name: 'Add Margherita Pizza to cart' }).click();
    await page.getByRole('button', { name: 'Go to checkout' }).click();
    await page.getByRole('heading', { name: 'Checkout' }).waitFor();
    await page.getByRole('radio', { name: '10%' }).check();
    const summary = page.locator('.checkout__summary');
    await waitForText(summary, 'Your total could not be worked out just now.');
    expect(await summary.innerText()).not.toContain('Working out your total');
    expect(await page.getByRole('button', { name: /Place order/ }).isDisabled()).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);

  it('answers an address it does not know, or an order that is not the customer’s, with a page that says so', async () => {
    const { page, token, problems } = await returning(PHONE, '/no-such-page');
    const a11y: string[] = [];
    await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor();
    expect(await page.getByRole('heading', { name: 'Menu' }).count()).toBe(0);
    expect(await currentTab(page)).toEqual([]);
    expect(await page.title()).toBe('Page not found · Just Hungry');
    // Said to a customer, not to an operator.
    expect(await page.locator('footer').innerText()).not.toMatch(/replica/i);
    await audit(page, 'page not found', a11y);
    await page.getByRole('link', { name: 'Go to the menu' }).click();
    await page.getByRole('heading', { name: 'Welcome back, Ada!' }).waitFor();

    // An order's page opens in a new tab without asking about delivery first; someone else's order is not found.
    const mine = (await placeOrder(cluster, token, [{ productId: 'falafel-wrap', quantity: 1 }])).data?.placeOrder.order;
    const other = await newCustomer(cluster, { firstName: 'Other' });
    const theirs = (await placeOrder(cluster, other, [{ productId: 'falafel-wrap', quantity: 1 }])).data?.placeOrder.order;
    const tab = await page.context().newPage();
    await tab.goto(`/orders/${mine.id}`);
    await waitForText(tab.getByTestId('order-page'), '1× Falafel Wrap');
    expect(await tab.getByText('Shall we deliver to the same place?').count()).toBe(0);
    expect(await currentTab(tab)).toEqual(['Orders (true)']);
    await tab.goto(`/orders/${theirs.id}`);
    await tab.getByRole('heading', { name: `We can't find order #${theirs.id}`, level: 1 }).waitFor();
    await audit(tab, 'order not found', a11y);
    await tab.close();
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
