// The web client end to end: headless Chromium against a real gateway and
// replicas (only postcodes.io is stood in for). Screenshots of each main
// screen go to test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TestCluster, waitFor } from '../helpers/cluster.ts';
import { type PostcodesMock, startPostcodesMock } from '../helpers/postcodes-mock.ts';
import { ORDERS, allOrders, newCustomer, placeOrder, stockLevels } from '../helpers/shop.ts';
import { LAPTOP, PHONE, ensureWebBuild, fillDetails, launchBrowser, screenshot, storedToken, visitor, waitForText } from './browser.ts';

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

  it('takes a first-time customer from contact details to a placed order, once, on a phone', async () => {
    const { page, problems } = await open(PHONE);
    await page.getByRole('heading', { name: 'Where should we deliver?' }).waitFor();

    // Every message comes from the API, under its field.
    await fillDetails(page, { ...ADA, lastName: '', phone: '12', postcode: 'ZZ9 9ZZ' });
    await page.getByRole('button', { name: 'Continue to the menu' }).click();
    await waitForText(page.locator('#lastName-error'), 'Last name is required.');
    await waitForText(page.locator('#phone-error'), 'not a valid phone number');
    expect(await page.getByLabel('Last name').getAttribute('aria-invalid')).toBe('true');
    await fillDetails(page, { lastName: ADA.lastName, phone: ADA.phone });
    await page.getByRole('button', { name: 'Continue to the menu' }).click();
    await waitForText(page.locator('#postcode-error'), 'ZZ9 9ZZ is not a real UK postcode.');
    expect(await page.getByLabel('Postcode').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'contact-errors-phone');

    await fillDetails(page, { postcode: ADA.postcode });
    await page.getByRole('button', { name: 'Continue to the menu' }).click();
    await page.getByRole('heading', { name: 'Menu' }).waitFor();
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

    await page.getByRole('button', { name: /View order · 3 items/ }).click();
    await page.getByRole('heading', { name: 'Checkout' }).waitFor();
    await page.getByRole('radio', { name: /Express delivery/ }).check();
    await page.getByRole('radio', { name: '10%' }).check();
    // £30.00 + £5.99 express + £3.00 tip
    await waitForText(page.getByTestId('checkout-costs'), '£38.99');
    await screenshot(page, 'checkout-phone');

    const place = page.getByRole('button', { name: /Place order · £38.99/ });
    await place.dblclick();
    const confirmation = page.getByTestId('confirmation');
    await waitForText(confirmation, /Thanks, Ada! Order #\d+ is placed\./);
    await waitForText(confirmation, 'Express delivery');
    await screenshot(page, 'confirmation-phone');

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
    await waitForText(page.getByTestId('confirmation'), /Thanks, Lost! Order #\d+ is placed\./);
    const placed = lost.get('PlaceOrder') as { data: { placeOrder: { order: { id: string } } } };
    const token = signUp.data.saveContactDetails.token;
    expect((await allOrders(cluster, token)).map((o) => o.id)).toEqual([placed.data.placeOrder.order.id]);

    await page.getByRole('link', { name: 'Orders' }).click();
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
    const welcome = page.getByRole('region', { name: 'Welcome back, Grace!' });
    await waitForText(welcome, 'Grace Hopper');
    await waitForText(welcome, 'EC1A 1BB');
    await screenshot(page, 'returning-laptop');

    await page.getByRole('button', { name: 'Edit details' }).click();
    expect(await page.getByLabel('First name').inputValue()).toBe('Grace');
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
    expect((await stockLevels(cluster)).get('ramen')).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows new orders and status changes live, and cancels an order after a confirmation', async () => {
    const { page, token, problems } = await returning(PHONE);
    await confirmDetails(page);
    await page.getByRole('link', { name: 'Orders' }).click();
    await waitForText(page.locator('main'), 'You have not ordered anything yet.');

    // Placed elsewhere (another tab, the terminal client): it appears without a reload.
    const first = (await placeOrder(cluster, token, [{ productId: 'falafel-wrap', quantity: 2 }])).data?.placeOrder.order;
    const second = (await placeOrder(cluster, token, [{ productId: 'caesar-salad', quantity: 1 }])).data?.placeOrder.order;
    const firstCard = page.getByTestId(`order-${first.id}`);
    const secondCard = page.getByTestId(`order-${second.id}`);
    await waitForText(firstCard, '2× Falafel Wrap');
    await waitForText(secondCard, 'Active');
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
    await secondCard.getByRole('button', { name: 'Keep order' }).click();
    expect(await secondCard.locator('.badge').innerText()).toBe('Active');
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
    expect(problems).toEqual([]);
  }, 60_000);

  it('places an order while the primary replica is killed, with no error shown, and the cluster panel follows', async () => {
    const panel = await open(LAPTOP, '/cluster');
    const before = await cluster.status();
    await waitForText(panel.page.getByTestId('epoch'), String(before.view.epoch));
    await waitForText(panel.page.getByTestId('primary'), `Replica ${before.view.primary}`);
    for (const name of ['1', '2', '3']) await waitForText(panel.page.getByTestId(`replica-${name}`), /Primary|Backup/);
    await screenshot(panel.page, 'cluster-before-laptop');

    const { page, token, problems } = await returning(PHONE);
    await confirmDetails(page);
    await page.getByTestId('dish-beef-burger').getByRole('button', { name: /Add/ }).click();
    await page.getByRole('button', { name: /View order/ }).click();
    const place = page.getByRole('button', { name: /Place order · £/ });
    await waitFor('the quote', async () => (await place.isEnabled()) || null);

    const primary = await cluster.primary();
    await Promise.all([place.click(), cluster.kill(`replica ${primary}`)]);
    await waitForText(page.getByTestId('confirmation'), /Order #\d+ is placed/, 30_000);
    expect(await page.locator('.notice--error, .field__error, [data-testid="offline-banner"]').count()).toBe(0);
    expect(await allOrders(cluster, token)).toHaveLength(1);

    // The panel shows the new epoch and primary, and the old one offline, without a reload.
    const after = await cluster.waitForView(2);
    expect(after.view.epoch).toBeGreaterThan(before.view.epoch);
    await waitForText(panel.page.getByTestId('primary'), `Replica ${after.view.primary}`);
    await waitForText(panel.page.getByTestId('epoch'), String(after.view.epoch));
    await waitForText(panel.page.getByTestId(`replica-${primary}`), 'Offline');
    await waitForText(panel.page.getByRole('region', { name: 'Role changes' }), `Replica ${primary}: Primary → Offline`);

    // It comes back and catches up, live.
    cluster.startReplica(primary);
    await cluster.waitForView(3);
    await waitForText(panel.page.getByTestId(`replica-${primary}`), 'Backup');
    await screenshot(panel.page, 'cluster-laptop', false);
    await screenshot(page, 'confirmation-after-failover-phone');
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

    await cluster.startGateway();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.getByLabel('Tip amount (£)').inputValue()).toBe('4.50');
    // £9.50 + £2.99 standard + £4.50 tip, priced by the restarted gateway.
    await waitForText(page.getByTestId('checkout-costs'), '£16.99', 30_000);
    await page.getByRole('button', { name: /Place order · £16.99/ }).click();
    await waitForText(page.getByTestId('confirmation'), /Order #\d+ is placed/);
  }, 90_000);
});
