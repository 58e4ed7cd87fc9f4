// The staff side of the web client end to end: headless Chromium against a
// real gateway and replicas, staff made with `just-hungry staff add`. The
// kitchen board and the courier view move an order while the customer's own
// page follows it live; a customer's cancel races the kitchen's accept; the
// cluster page keeps its internals for operators; a wrong token is told so.
// Every staff screen is checked with axe-core at a laptop's and a phone's
// width (and, at a phone's, for touch targets of 44 px).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { SECRET, TestCluster, waitFor } from '../helpers/cluster.ts';
import { runJustHungry } from '../helpers/pty.ts';
import { DETAILS, SAVE_DETAILS, addStaff, newCustomer, placeOrder } from '../helpers/shop.ts';
import { openSubscriptions } from '../helpers/subscribe.ts';
import { LAPTOP, PHONE, accessibilityProblems, ensureWebBuild, launchBrowser, screenshot, signInStaff, smallTouchTargets, storedStaffToken, visitor, waitForText } from './browser.ts';

const ORDER_STATUS = 'query ($id: ID!) { order(id: $id) { status timeline { status } } }';

describe('the staff screens', () => {
  let cluster: TestCluster;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const tokens = { kitchen: '', courier: '', operator: '' };

  beforeAll(async () => {
    ensureWebBuild();
    [cluster, browser] = await Promise.all([TestCluster.start({ replicas: 2 }), launchBrowser()]);
    const [kitchen, courier, operator] = await Promise.all([addStaff(cluster, 'Sam Cook', 'kitchen'), addStaff(cluster, 'Ria Rider', 'courier'), addStaff(cluster, 'Opal Ops', 'operator')]);
    Object.assign(tokens, { kitchen: kitchen.token, courier: courier.token, operator: operator.token });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await browser?.close();
    await cluster?.close();
  });

  async function open(viewport: typeof PHONE, path: string) {
    const opened = await visitor(browser, cluster.gatewayUrl, viewport);
    contexts.push(opened.context);
    await opened.page.goto(path);
    return opened;
  }

  /**
   * Runs `act` (which opens a page), then waits until the gateway has one more subscriber of `feed`: a move made
   * before a page's feed is open reaches that page only at its next read (useRefetchOnRecovery), and these tests are
   * about what follows, not about that.
   */
  async function withFeedOpen<T>(feed: string | undefined, act: () => Promise<T>): Promise<T> {
    const before = feed ? await openSubscriptions(cluster.gatewayUrl, feed) : 0;
    const result = await act();
    if (feed) await waitFor(`the page's ${feed} feed to open`, async () => (await openSubscriptions(cluster.gatewayUrl, feed)) > before);
    return result;
  }

  /** A staff screen, signed in through its form (and, for one that follows orders, with its feed open). */
  async function staffScreen(viewport: typeof PHONE, path: string, token: string, name: string) {
    return withFeedOpen(['/kitchen', '/courier'].includes(path) ? 'staffOrderChanged' : undefined, async () => {
      const opened = await open(viewport, path);
      await signInStaff(opened.page, token);
      await waitForText(opened.page.getByTestId('staff-bar'), name);
      return opened;
    });
  }

  /** A customer's order (two pizzas, Standard delivery) and the customer's own page for it, open in the browser. */
  async function trackedOrder(viewport: typeof PHONE, details: Parameters<typeof newCustomer>[1] = {}, deliveryOptionId = 'standard') {
    const token = await newCustomer(cluster, details);
    const placed = await placeOrder(cluster, token, [{ productId: 'margherita', quantity: 2 }], randomUUID(), deliveryOptionId);
    const orderId = placed.data?.placeOrder.order?.id as string;
    expect(orderId).toBeDefined();
    const opened = await open(viewport, '/');
    await opened.page.evaluate((t) => localStorage.setItem('just-hungry.token', t), token);
    await withFeedOpen('orderStatusChanged', async () => {
      await opened.page.goto(`/orders/${orderId}`);
      await waitForText(opened.page.getByTestId('order-tracker'), 'Placed');
    });
    // Gone after a reload: the page must follow the order without one.
    await opened.page.evaluate(() => Object.assign(window, { loadedOnce: true }));
    return { ...opened, token, orderId };
  }

  /** axe-core at a laptop's width and a phone's, and touch targets at a phone's; problems gathered, not thrown. */
  async function auditBothSizes(page: Page, state: string, found: string[]) {
    const size = page.viewportSize() ?? LAPTOP;
    for (const [label, viewport] of [['laptop', LAPTOP], ['phone', PHONE]] as const) {
      await page.setViewportSize(viewport);
      found.push(...(await accessibilityProblems(page, `${state} (${label})`)));
      if (viewport === PHONE) found.push(...(await smallTouchTargets(page, `${state} (${label})`)));
    }
    await page.setViewportSize(size);
  }

  const focusedTicket = (page: Page) =>
    page.evaluate(() => {
      const element = document.activeElement;
      return `${element?.closest('[data-column]')?.getAttribute('data-column') ?? 'nowhere'} ${element?.tagName.toLowerCase()} ${element?.textContent?.trim() ?? ''}`;
    });

  it('takes a delivery order from the kitchen to the door, by clicks and keys, while the customer’s page follows each step without a reload', async () => {
    const customer = await trackedOrder(PHONE, { firstName: 'Grace', lastName: 'Hopper', phone: '020 7946 0018', address: '3 Cobol Close' });
    const { orderId } = customer;
    const tracker = customer.page.getByTestId('order-tracker');
    const current = tracker.locator('[aria-current="step"]');
    await waitForText(current, 'Placed');
    // The steps still ahead, for a delivery.
    expect(await tracker.locator('.tracker__step--ahead .tracker__name').allInnerTexts()).toEqual(['Accepted', 'Being prepared', 'Ready', 'Out for delivery', 'Delivered']);
    const a11y: string[] = [];

    const kitchen = await staffScreen(LAPTOP, '/kitchen', tokens.kitchen, 'Sam Cook');
    const ticket = kitchen.page.getByTestId(`ticket-${orderId}`);
    await waitForText(kitchen.page.getByTestId('column-new').getByTestId(`ticket-${orderId}`), '2× Margherita Pizza');
    await waitForText(ticket, 'Delivery');
    await waitForText(ticket.getByTestId('waited'), /under a minute|\d+ min/);
    expect(await kitchen.page.getByRole('navigation', { name: 'Staff' }).getByRole('link').allInnerTexts()).toEqual(['Kitchen']);
    await screenshot(kitchen.page, 'kitchen-laptop', false);
    await auditBothSizes(kitchen.page, 'kitchen board', a11y);

    // By keyboard: Enter on Accept, and the focus follows the ticket to its new column.
    await ticket.getByRole('button', { name: `Accept order #${orderId}` }).press('Enter');
    await kitchen.page.getByTestId('column-accepted').getByTestId(`ticket-${orderId}`).waitFor();
    await waitFor('focus on the ticket in Accepted', async () => (await focusedTicket(kitchen.page)) === `accepted h3 Order #${orderId}`);
    await waitForText(current, 'Accepted');
    await waitForText(tracker, 'The kitchen has accepted your order.');
    await kitchen.page.keyboard.press('Tab');
    expect(await kitchen.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Start preparing order #${orderId}`);
    await kitchen.page.keyboard.press('Enter');
    await kitchen.page.getByTestId('column-preparing').getByTestId(`ticket-${orderId}`).waitFor();
    await waitForText(current, 'Being prepared');

    // By clicks.
    await ticket.getByRole('button', { name: `Ready order #${orderId}` }).click();
    await kitchen.page.getByTestId('column-ready').getByTestId(`ticket-${orderId}`).waitFor();
    await waitForText(ticket, 'Waiting for a courier.');
    expect(await ticket.getByRole('button').count()).toBe(0); // a delivery is the courier's to take out
    await waitForText(current, 'Ready');
    a11y.push(...(await accessibilityProblems(kitchen.page, 'kitchen board, an order ready')));

    const courier = await staffScreen(PHONE, '/courier', tokens.courier, 'Ria Rider');
    const delivery = courier.page.getByTestId('column-ready').getByTestId(`ticket-${orderId}`);
    for (const fact of ['Grace Hopper', '3 Cobol Close', 'SW1A 1AA', '2× Margherita Pizza']) await waitForText(delivery, fact);
    const call = delivery.getByRole('link', { name: 'Call Grace Hopper on 020 7946 0018' });
    expect(await call.getAttribute('href')).toBe('tel:+442079460018');
    await screenshot(courier.page, 'courier-phone');
    await auditBothSizes(courier.page, 'courier view', a11y);

    await delivery.getByRole('button', { name: `Take out order #${orderId}` }).click();
    const onItsWay = courier.page.getByTestId('column-out').getByTestId(`ticket-${orderId}`);
    await onItsWay.waitFor();
    await waitForText(current, 'Out for delivery');
    // Taken out: off the kitchen's board, live.
    await ticket.waitFor({ state: 'detached' });
    await onItsWay.getByRole('button', { name: `Delivered order #${orderId}` }).click();
    await onItsWay.waitFor({ state: 'detached' });
    // Off the screen: the focus goes to the column the order left.
    await waitFor('focus on the column heading', async () => (await focusedTicket(courier.page)).startsWith('out h2 Out for delivery'));
    await waitForText(current, 'Delivered');
    await waitForText(tracker, 'Your order was delivered. Enjoy your meal!');

    // Every step reached, each with its time, nothing ahead, and no reload on the way.
    expect(await tracker.locator('.tracker__step--ahead').count()).toBe(0);
    const times = await tracker.locator('time').allInnerTexts();
    expect(times).toHaveLength(6);
    for (const time of times) expect(time).toMatch(/^\d\d:\d\d$/);
    expect(await customer.page.evaluate(() => 'loadedOnce' in window)).toBe(true);
    await screenshot(customer.page, 'tracker-delivered-phone');
    a11y.push(...(await accessibilityProblems(customer.page, 'order tracker, delivered')));
    const final = await cluster.gql<{ order: { status: string } }>(ORDER_STATUS, { id: orderId }, customer.token);
    expect(final.data?.order.status).toBe('DELIVERED');
    expect(a11y).toEqual([]);
    expect([...customer.problems, ...kitchen.problems, ...courier.problems]).toEqual([]);
  }, 60_000);

  /**
   * The customer's "Yes, cancel order" and a kitchen button for the same order, both pressed, both requests in flight
   * at once; which one the cluster sees first is the test's to choose, not the machine's: the loser's request is held
   * at its browser's door until the winner's answer is back. Then both have answered (the customer's question closed,
   * nothing busy on the board), and the outcome is read from the API.
   */
  async function race(
    customer: Awaited<ReturnType<typeof trackedOrder>>,
    kitchen: Awaited<ReturnType<typeof staffScreen>>,
    button: string,
    first: 'customer' | 'kitchen',
    /** What the screens show once the winner has been answered, while the loser's request is still on its way. */
    meanwhile: () => Promise<void> = async () => undefined,
  ) {
    await customer.page.getByRole('button', { name: 'Cancel order' }).click();
    const cancel = { page: customer.page, press: () => customer.page.getByRole('button', { name: 'Yes, cancel order' }).click(), operation: 'mutation CancelOrder' };
    const move = {
      page: kitchen.page,
      press: () => kitchen.page.getByTestId(`ticket-${customer.orderId}`).getByRole('button', { name: `${button} order #${customer.orderId}` }).click(),
      operation: 'mutation MoveOrder',
    };
    const [winner, loser] = first === 'customer' ? [cancel, move] : [move, cancel];
    const held: Route[] = [];
    await loser.page.route('**/graphql', (route) => {
      if ((route.request().postData() ?? '').includes(loser.operation)) held.push(route);
      else void route.continue();
    });
    const winnerAnswered = winner.page.waitForResponse((response) => (response.request().postData() ?? '').includes(winner.operation));
    await loser.press();
    await waitFor('the loser\'s request to be in flight', () => held.length > 0);
    await winner.press();
    await winnerAnswered;
    await meanwhile();
    await Promise.all(held.map((route) => route.continue()));
    await loser.page.unroute('**/graphql');
    await customer.page.getByRole('alertdialog').waitFor({ state: 'detached' });
    await waitFor('the board to settle', async () => (await kitchen.page.locator('[aria-busy="true"]').count()) === 0);
    const answer = await cluster.gql<{ order: { status: string; timeline: { status: string }[] } }>(ORDER_STATUS, { id: customer.orderId }, customer.token);
    return answer.data?.order;
  }

  /** A cancel won: the customer is told their food will not be made, the ticket leaves the board and the board says why. */
  async function cancelWon(customer: Awaited<ReturnType<typeof trackedOrder>>, kitchen: Awaited<ReturnType<typeof staffScreen>>) {
    await waitForText(customer.page.getByTestId('tracker-now'), 'Your order is cancelled. Your food will not be made');
    await kitchen.page.getByTestId(`ticket-${customer.orderId}`).waitFor({ state: 'detached' });
    await waitForText(kitchen.page.getByTestId('board-notices'), `Order #${customer.orderId} was cancelled by the customer`);
    expect(await customer.page.locator('.field__error').count()).toBe(0);
  }

  it.each(['customer', 'kitchen'] as const)('lets a customer’s cancel race the kitchen’s accept (%s first): a new order may be cancelled even once accepted, so the cancel stands, and both screens say so', async (first) => {
    const customer = await trackedOrder(LAPTOP);
    const kitchen = await staffScreen(LAPTOP, '/kitchen', tokens.kitchen, 'Sam Cook');
    await kitchen.page.getByTestId('column-new').getByTestId(`ticket-${customer.orderId}`).waitFor();

    const final = await race(customer, kitchen, 'Accept', first);
    await cancelWon(customer, kitchen);
    if (first === 'kitchen') {
      // Accepted, then cancelled: the kitchen is told not to make it.
      expect(final?.timeline.map((e) => e.status)).toEqual(['PLACED', 'ACCEPTED', 'CANCELLED']);
    } else {
      // The accept came second and was refused, in the gateway's words.
      expect(final?.timeline.map((e) => e.status)).toEqual(['PLACED', 'CANCELLED']);
      await waitForText(kitchen.page.getByTestId('board-notices'), `Order ${customer.orderId} is cancelled (CANCELLED), so it cannot move to ACCEPTED.`);
    }
    await screenshot(kitchen.page, `kitchen-after-race-${first}-first-laptop`, false);
    expect(await accessibilityProblems(kitchen.page, 'kitchen board after the race')).toEqual([]);
    expect([...customer.problems, ...kitchen.problems]).toEqual([]);
  }, 60_000);

  it.each(['customer', 'kitchen'] as const)('lets a customer’s cancel race the kitchen starting to cook (%s first): exactly one wins, the other is told, and both screens agree', async (first) => {
    const customer = await trackedOrder(LAPTOP);
    const kitchen = await staffScreen(LAPTOP, '/kitchen', tokens.kitchen, 'Sam Cook');
    const accepted = await cluster.gql('mutation ($input: MoveOrderInput!) { moveOrder(input: $input) { errors { code } } }', { input: { orderId: customer.orderId, to: 'ACCEPTED' } }, tokens.kitchen);
    expect(accepted.data?.moveOrder.errors).toEqual([]);
    await kitchen.page.getByTestId('column-accepted').getByTestId(`ticket-${customer.orderId}`).waitFor();
    await waitForText(customer.page.getByTestId('tracker-now'), 'The kitchen has accepted your order.');

    // A customer still waiting on their cancel when the kitchen starts cooking is told at once that it can no longer be.
    const overtaken = async () => {
      if (first === 'kitchen') await waitForText(customer.page.locator('.field__error'), `Order #${customer.orderId} can no longer be cancelled: it is being prepared.`);
    };
    const final = await race(customer, kitchen, 'Start preparing', first, overtaken);
    // One of the two, never both: a cancelled order is not cooked, and a cooking one is not cancelled.
    if (first === 'customer') {
      expect(final?.timeline.map((e) => e.status)).toEqual(['PLACED', 'ACCEPTED', 'CANCELLED']);
      await cancelWon(customer, kitchen);
      await waitForText(kitchen.page.getByTestId('board-notices'), `Order ${customer.orderId} is cancelled (CANCELLED), so it cannot move to PREPARING.`);
    } else {
      // The kitchen won: the customer is told the order can no longer be cancelled, and both screens show it cooking.
      expect(final?.timeline.map((e) => e.status)).toEqual(['PLACED', 'ACCEPTED', 'PREPARING']);
      await waitForText(customer.page.locator('.field__error'), `Order ${customer.orderId} is being prepared (PREPARING): only an order that is placed or accepted, before the kitchen starts preparing it, can be cancelled.`);
      await waitForText(customer.page.getByTestId('tracker-now'), 'Your order is being prepared.');
      expect(await customer.page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
      await kitchen.page.getByTestId('column-preparing').getByTestId(`ticket-${customer.orderId}`).waitFor();
    }
    expect([...customer.problems, ...kitchen.problems]).toEqual([]);
  }, 60_000);

  it('hands a collection order over from the board, which no courier ever sees, and the customer’s page says it was collected', async () => {
    const customer = await trackedOrder(PHONE, {}, 'collection');
    const kitchen = await staffScreen(LAPTOP, '/kitchen', tokens.kitchen, 'Sam Cook');
    for (const to of ['ACCEPTED', 'PREPARING', 'READY']) {
      const moved = await cluster.gql('mutation ($input: MoveOrderInput!) { moveOrder(input: $input) { errors { code } } }', { input: { orderId: customer.orderId, to } }, tokens.kitchen);
      expect(moved.data?.moveOrder.errors).toEqual([]);
    }
    const ticket = kitchen.page.getByTestId('column-ready').getByTestId(`ticket-${customer.orderId}`);
    await ticket.waitFor();
    await waitForText(customer.page.getByTestId('tracker-now'), 'Your order is ready to collect.');
    // A courier's screen opened now reads the ready orders, this one among them, and shows none of them that is collected.
    const courier = await staffScreen(LAPTOP, '/courier', tokens.courier, 'Ria Rider');
    await courier.page.getByTestId('column-ready').waitFor();
    await courier.page.getByText('Loading the orders…').waitFor({ state: 'detached' });
    expect(await courier.page.getByTestId(`ticket-${customer.orderId}`).count()).toBe(0);

    await ticket.getByRole('button', { name: `Handed over order #${customer.orderId}` }).click();
    await ticket.waitFor({ state: 'detached' });
    await waitForText(customer.page.getByTestId('tracker-now'), 'Your order was collected.');
    expect(await customer.page.evaluate(() => 'loadedOnce' in window)).toBe(true);
    const final = await cluster.gql<{ order: { status: string; timeline: { status: string }[] } }>(ORDER_STATUS, { id: customer.orderId }, customer.token);
    expect(final.data?.order.timeline.map((e) => e.status)).toEqual(['PLACED', 'ACCEPTED', 'PREPARING', 'READY', 'COLLECTED']);
    // The order keeps the details it was placed with: a move to another address later does not move it.
    const moved = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, address: '9 Elsewhere Road, Leeds' } }, customer.token);
    expect(moved.data?.saveContactDetails.errors).toEqual([]);
    await customer.page.reload();
    await waitForText(customer.page.getByTestId('order-page'), `${DETAILS.address}, SW1A 1AA`);
    expect(await customer.page.getByTestId('order-page').textContent()).not.toContain('Elsewhere Road');
    expect([...customer.problems, ...kitchen.problems, ...courier.problems]).toEqual([]);
  }, 60_000);

  it('rejects a new order by keyboard on a phone, asking why, and the customer reads the reason', async () => {
    const customer = await trackedOrder(PHONE);
    const { orderId } = customer;
    const kitchen = await staffScreen(PHONE, '/kitchen', tokens.kitchen, 'Sam Cook');
    const ticket = kitchen.page.getByTestId('column-new').getByTestId(`ticket-${orderId}`);
    await ticket.waitFor();
    const a11y: string[] = [];

    await ticket.getByRole('button', { name: `Reject order #${orderId}` }).press('Enter');
    await waitFor('focus on the reason', async () => (await kitchen.page.evaluate(() => document.activeElement?.id)) === `reason-${orderId}`);
    // No reason: the gateway's words, under the field.
    await kitchen.page.keyboard.press('Enter');
    await waitForText(ticket.locator(`#reason-${orderId}-error`), 'Say why the order is rejected: the customer is told.');
    await screenshot(kitchen.page, 'kitchen-rejecting-phone');
    a11y.push(...(await accessibilityProblems(kitchen.page, 'kitchen board, rejecting (phone)')), ...(await smallTouchTargets(kitchen.page, 'kitchen board, rejecting (phone)')));
    await ticket.getByLabel(`Why is order #${orderId} rejected?`).fill('We are out of dough.');
    await kitchen.page.keyboard.press('Enter');
    await ticket.waitFor({ state: 'detached' });
    await waitFor('focus on the column the order left', async () => (await focusedTicket(kitchen.page)).startsWith('new h2 New'));

    await waitForText(customer.page.getByTestId('order-tracker').locator('[aria-current="step"]'), 'Rejected');
    await waitForText(customer.page.getByTestId('tracker-now'), /^The kitchen could not take your order: We are out of dough\. Your food will not be made, and the £\d+\.\d\d is refunded in full\.$/);
    expect(await customer.page.getByRole('button', { name: 'Cancel order' }).count()).toBe(0);
    a11y.push(...(await accessibilityProblems(customer.page, 'order tracker, rejected')));
    expect(a11y).toEqual([]);
    expect([...customer.problems, ...kitchen.problems]).toEqual([]);
  }, 60_000);

  it('shows the cluster’s public view to anyone, its internals only to an operator', async () => {
    const { page, problems } = await open(LAPTOP, '/cluster');
    const a11y: string[] = [];
    await waitForText(page.getByTestId('replica-1'), /Primary|Backup/);
    await waitForText(page.getByTestId('cluster-overview'), 'Accepted');
    await page.getByLabel('Staff token').waitFor();
    const main = page.locator('main');
    const internals = /127\.0\.0\.1|http:\/\/|Last heartbeat|Role changes/;
    const refusals = /FORBIDDEN|is for staff whose role allows it/;
    expect(await main.innerText()).not.toMatch(internals);
    expect(await main.innerText()).not.toMatch(refusals);
    await auditBothSizes(page, 'cluster, signed out', a11y);

    // Kitchen staff are told the internals need an operator, and still see no more.
    await signInStaff(page, tokens.kitchen);
    await waitForText(page.getByTestId('operators-only'), 'need an operator. You are signed in as Sam Cook (kitchen).');
    await waitForText(page.getByTestId('replica-2'), /Primary|Backup/);
    expect(await main.innerText()).not.toMatch(internals);
    expect(await main.innerText()).not.toMatch(refusals);
    a11y.push(...(await accessibilityProblems(page, 'cluster, kitchen signed in')));

    // An operator sees where each replica listens and the role changes.
    await page.getByTestId('staff-bar').getByRole('button', { name: 'Sign out' }).click();
    await signInStaff(page, tokens.operator);
    await waitForText(page.getByTestId('staff-bar'), 'Opal Ops');
    const { cluster: status } = await cluster.status();
    for (const replica of status.replicas) await waitForText(page.getByTestId(`replica-${replica.name}`), replica.url);
    await waitForText(page.getByRole('region', { name: 'Role changes' }), 'None since you opened this page.');
    expect(await main.innerText()).not.toMatch(refusals);
    await screenshot(page, 'cluster-operator-laptop', false);
    await auditBothSizes(page, 'cluster, operator signed in', a11y);
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('says so when a staff token is wrong, keeps a right one for the tab only, and notices one removed', async () => {
    const { page, problems } = await open(PHONE, '/staff');
    const a11y: string[] = [];
    const field = page.getByLabel('Staff token');
    const error = page.locator('#staff-token-error');
    expect(await field.getAttribute('type')).toBe('password');

    await signInStaff(page, `jhs_${'x'.repeat(43)}`);
    await waitForText(error, 'That token does not belong to any member of staff');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await waitFor('focus back on the token', async () => (await page.evaluate(() => document.activeElement?.id)) === 'staff-token');
    await screenshot(page, 'staff-wrong-token-phone');
    await auditBothSizes(page, 'staff sign-in, wrong token', a11y);
    // Not even sent: a customer's token, and text that cannot be a token (a space would break the request's header).
    const customerToken = await newCustomer(cluster);
    await signInStaff(page, customerToken);
    await waitForText(error, 'That is a customer’s token. A staff token starts with jhs_.');
    await signInStaff(page, 'jhs_two words');
    await waitForText(error, 'That is not a staff token');
    expect(await page.locator('main').innerText()).not.toMatch(/Error:|\bat .*\.(ts|js):\d+|FORBIDDEN/);
    expect(await storedStaffToken(page)).toBeNull();

    // A right one: kept in this tab's sessionStorage, never beside the customer's token.
    const { token, staff } = await addStaff(cluster, 'Rob Rider', 'courier');
    await signInStaff(page, `  ${token}\n`);
    await waitForText(page.getByTestId('staff-home'), 'Signed in as Rob Rider (courier).');
    expect(await storedStaffToken(page)).toBe(token);
    expect(await page.evaluate(() => Object.values(localStorage).join(' '))).not.toContain('jhs_');
    await page.reload();
    await waitForText(page.getByTestId('staff-bar'), 'Rob Rider');
    await auditBothSizes(page, 'staff, signed in', a11y);

    // Removed by an operator: the next look says so, and the token is forgotten.
    const removed = await runJustHungry(['staff', 'remove', staff.id, '--data', cluster.dataDir, '--gateway', cluster.gatewayUrl], { JH_CLUSTER_SECRET: SECRET });
    expect(removed.code).toBe(0);
    await page.reload();
    await waitForText(error, 'Your staff token no longer works');
    expect(await storedStaffToken(page)).toBeNull();
    expect(await page.getByTestId('staff-bar').count()).toBe(0);
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
