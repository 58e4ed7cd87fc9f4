// The terminal client, `just-hungry order`, driven through a pseudo-terminal
// like a person would, against a real gateway and replicas (postcodes.io is
// the only stand-in, so that a postcode can be unknown).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../client/terminal/credentials.ts';
import { TestCluster, freePort } from './helpers/cluster.ts';
import { type PostcodesMock, startPostcodesMock } from './helpers/postcodes-mock.ts';
import { KEY, Terminal, runJustHungry } from './helpers/pty.ts';
import { ORDERS, addStaff, newCustomer, placeOrder, stockLevels } from './helpers/shop.ts';

interface OrderRow {
  id: string;
  status: string;
  deliveryOption: { id: string };
  lines: { productName: string; quantity: number }[];
  tip: { minorUnits: number };
  total: { minorUnits: number; formatted: string };
}

const VIEWER = '{ viewer { firstName lastName phone postcode address } }';

describe('just-hungry order', () => {
  let mock: PostcodesMock;
  let cluster: TestCluster;
  let url: string;
  const terminals: Terminal[] = [];
  const configDirs: string[] = [];

  beforeAll(async () => {
    mock = await startPostcodesMock();
    cluster = await TestCluster.start({ replicas: 2, postcodesUrl: mock.url });
    url = `${cluster.gatewayUrl}/graphql`;
  });
  afterAll(async () => {
    await cluster?.close();
    await mock?.close();
    for (const dir of configDirs) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const terminal of terminals.splice(0)) terminal.kill();
    mock.setMode('normal');
  });

  function configDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'jh-term-'));
    configDirs.push(dir);
    return dir;
  }

  function order(config: string, args: string[] = [], env: Record<string, string> = {}): Terminal {
    const terminal = Terminal.start(['order', '--url', url, ...args], { JH_CONFIG_DIR: config, ...env });
    terminals.push(terminal);
    return terminal;
  }

  /** A new customer's first name, last name and phone, each answered at its prompt, up to the postcode's prompt. */
  async function newCustomerUpToPostcode(terminal: Terminal, [firstName, lastName, phone]: [string, string, string]): Promise<void> {
    for (const [prompt, value] of [['First name', firstName], ['Last name', lastName], ['Phone number', phone]] as const) {
      await terminal.expect(`? ${prompt}:`);
      terminal.answer(value);
    }
    await terminal.expect('? Postcode:');
  }

  /** A returning customer's details confirmed and one Margherita Pizza in the cart, up to the choice of delivery. */
  async function confirmedWithOnePizza(terminal: Terminal): Promise<void> {
    await terminal.expect('? Are these details correct?');
    terminal.answer('');
    await terminal.expect('? Add a dish to your cart:');
    await terminal.choose('Margherita Pizza');
    await terminal.expect('? How many Margherita Pizza?');
    terminal.answer('');
    await terminal.expect('? Add another dish');
    await terminal.choose('Review the cart (1 item)');
    await terminal.expect('? Go on to delivery?');
    terminal.answer('');
    await terminal.expect('? Delivery:');
  }

  /** A customer made through the API, saved in a fresh config dir as if they had ordered before. */
  async function returningCustomer(): Promise<{ config: string; token: string }> {
    const token = await newCustomer(cluster);
    const config = configDir();
    new CredentialStore(config, () => {}).save(url, token);
    return { config, token };
  }

  async function ordersOf(token: string): Promise<OrderRow[]> {
    const response = await cluster.gql<{ viewer: { orders: { edges: { node: OrderRow }[] } } }>(ORDERS, { first: 100 }, token);
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return response.data.viewer.orders.edges.map((edge) => edge.node);
  }

  async function exitFromMenu(terminal: Terminal): Promise<void> {
    await terminal.expect('? What would you like to do?');
    await terminal.choose('Exit');
    await terminal.expect('Bye.');
    expect((await terminal.exited).exitCode).toBe(0);
  }

  it('places a first order: contact details (an unknown postcode asked again), cart, delivery, tip, confirmation', async () => {
    const config = configDir();
    const terminal = order(config);
    await terminal.expect('? What would you like to do?');
    await terminal.choose('Create a new order');
    await newCustomerUpToPostcode(terminal, ['Grace', 'Hopper', '020 7946 0321']);
    terminal.answer('ZZ9 9ZZ'); // well formed, but postcodes.io does not know it
    await terminal.expect(/✗ .*ZZ9 9ZZ/);
    terminal.write(KEY.ctrlU); // the refused value stays in the prompt, to be corrected
    terminal.answer('ec1a1bb');
    // The answer line shows the postcode as the API normalised it.
    await terminal.expect('✔ Postcode: EC1A 1BB');
    await terminal.expect('? Address:');
    terminal.answer('2 Harbour Row, London');
    await terminal.expect('✓ Details saved.');

    // The products, with price and stock, straight from the API.
    await terminal.expect('? Add a dish to your cart:');
    const dishes = await terminal.expect(/Pad Thai +£11\.00 +\d+ left[^]*Drop this order/);
    // An empty cart cannot be reviewed, and the choice says so once.
    expect(dishes).toContain('Review the cart (it is empty)');
    expect(dishes).not.toContain('0 items');
    await terminal.choose('Pad Thai');
    await terminal.expect('? How many Pad Thai?');
    terminal.answer('2');
    await terminal.expect(/Pad Thai +£11\.00 +\d+ left +\(2 in cart\)/);
    await terminal.choose('Chocolate Brownie');
    await terminal.expect('? How many Chocolate Brownie?');
    terminal.answer('');
    await terminal.expect('? Add another dish');
    await terminal.choose('Review the cart (3 items)');
    await terminal.expect(/2 × Pad Thai .*£22\.00/);
    await terminal.expect(/Subtotal +£26\.50/);
    await terminal.expect('? Go on to delivery?');
    terminal.answer('');
    await terminal.expect('? Delivery:');
    await terminal.choose('Express delivery');
    await terminal.expect('? Add a tip for the rider?');
    terminal.answer('y');
    await terminal.expect('? Tip in pounds');
    terminal.answer('1.50');
    await terminal.expect(/Express delivery +£5\.99/);
    await terminal.expect(/Tip +£1\.50/);
    await terminal.expect(/Total +£33\.99/);
    await terminal.expect('? Place this order for £33.99?');
    terminal.answer('');
    await terminal.expect(/✓ Order #\d+ placed: £33\.99, express delivery\./);
    await exitFromMenu(terminal);

    // The customer and order are real, and the token was kept, readable by its owner only.
    const credentials = join(config, 'credentials.json');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    const token = new CredentialStore(config, () => {}).token(url);
    expect(token).toMatch(/^jh_/);
    const viewer = await cluster.gql(VIEWER, {}, token ?? '');
    expect(viewer.data?.viewer).toEqual({ firstName: 'Grace', lastName: 'Hopper', phone: '+442079460321', postcode: 'EC1A 1BB', address: '2 Harbour Row, London' });
    const [placed, ...others] = await ordersOf(token ?? '');
    expect(others).toEqual([]);
    expect(placed).toMatchObject({
      status: 'PLACED',
      deliveryOption: { id: 'express' },
      lines: [
        { productName: 'Pad Thai', quantity: 2 },
        { productName: 'Chocolate Brownie', quantity: 1 },
      ],
      tip: { minorUnits: 150 },
      total: { minorUnits: 3399 },
    });
  });

  it('recognises a returning customer, shows their saved details to confirm, and asks again for a tip the API refuses', async () => {
    const { config, token } = await returningCustomer();
    const terminal = order(config);
    await terminal.expect('Welcome back, Ada.');
    await terminal.expect('? What would you like to do?');
    await terminal.choose('Create a new order');
    await terminal.expect('Your details:');
    await terminal.expect(/Name +Ada Lovelace/);
    await terminal.expect(/Postcode +SW1A 1AA/);
    await confirmedWithOnePizza(terminal);
    await terminal.choose('Standard delivery');
    await terminal.expect('? Add a tip for the rider?');
    terminal.answer('y');
    await terminal.expect('? Tip in pounds');
    terminal.answer('500'); // over the API's cap: its error is shown and the tip asked again
    await terminal.expect(/✗ A tip must be from £0.00 to £100.00/);
    await terminal.expect('? Tip in pounds');
    terminal.answer('1');
    await terminal.expect('? Place this order for £13.49?');
    terminal.answer('');
    await terminal.expect(/✓ Order #\d+ placed: £13\.49, standard delivery\./);
    await exitFromMenu(terminal);

    const orders = await ordersOf(token);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      deliveryOption: { id: 'standard' },
      lines: [{ productName: 'Margherita Pizza', quantity: 1 }],
      tip: { minorUnits: 100 },
      total: { minorUnits: 1349 },
    });
  });

  it('offers a tip only where a rider delivers: none for Collection', async () => {
    const { config, token } = await returningCustomer();
    const terminal = order(config);
    await terminal.expect('? What would you like to do?');
    await terminal.choose('Create a new order');
    await confirmedWithOnePizza(terminal);
    await terminal.choose('Collection');
    const next = await terminal.expect(/\? Add a tip for the rider\?|\? Place this order for £9\.50\?/);
    expect(next).toBe('? Place this order for £9.50?');
    // No tip line in the final cost either: there is no rider to tip.
    expect(terminal.text()).not.toMatch(/Your order:[^]*Tip[^]*Place this order/);
    terminal.answer('');
    await terminal.expect(/✓ Order #\d+ placed: £9\.50, collection\./);
    await exitFromMenu(terminal);

    const orders = await ordersOf(token);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ deliveryOption: { id: 'collection' }, tip: { minorUnits: 0 }, total: { minorUnits: 950 } });
  });

  it('says so when the order cannot be placed because the last portions went to someone else', async () => {
    const { config, token } = await returningCustomer();
    const terminal = order(config);
    await terminal.expect('? What would you like to do?');
    await terminal.choose('Create a new order');
    await terminal.expect('? Are these details correct?');
    terminal.answer('');
    await terminal.expect('? Add a dish to your cart:');
    await terminal.choose('Caesar Salad');
    await terminal.expect('? How many Caesar Salad?');
    terminal.answer('2');
    await terminal.expect('? Add another dish');
    await terminal.choose('Review the cart (2 items)');
    await terminal.expect('? Go on to delivery?');
    terminal.answer('');
    await terminal.expect('? Delivery:');
    await terminal.choose('Standard delivery');
    await terminal.expect('? Add a tip for the rider?');
    terminal.answer('');
    await terminal.expect('? Place this order for £18.99?');

    // Meanwhile, another customer buys every salad left.
    const left = (await stockLevels(cluster)).get('caesar-salad') ?? 0;
    const rival = await placeOrder(cluster, await newCustomer(cluster), [{ productId: 'caesar-salad', quantity: left }]);
    expect(rival.data?.placeOrder.errors).toEqual([]);

    terminal.answer('');
    await terminal.expect('✗ Your order was not placed:');
    await terminal.expect(/Caesar Salad/);
    await exitFromMenu(terminal);
    expect(await ordersOf(token)).toEqual([]);
  });

  it('updates saved details, checking each field as it is entered with the rules of the API', async () => {
    const { config, token } = await returningCustomer();
    const terminal = order(config);
    await terminal.expect('? What would you like to do?');
    await terminal.choose('Create a new order');
    await terminal.expect('? Are these details correct?');
    terminal.answer('n');
    await terminal.expect('? First name: (Ada)');
    terminal.answer('');
    await terminal.expect('? Last name: (Lovelace)');
    terminal.answer('Byron');
    await terminal.expect('? Phone number:');
    terminal.answer('12');
    // Refused at once, before the next field is asked for.
    const verdict = await terminal.expect(/✗ "12" is not a valid phone number\.|\? Postcode:/);
    expect(verdict).toBe('✗ "12" is not a valid phone number.');
    terminal.write(KEY.ctrlU);
    terminal.answer('020 7946 0999');
    await terminal.expect('? Postcode: (SW1A 1AA)');
    terminal.answer('');
    await terminal.expect('? Address:');
    terminal.answer('');
    await terminal.expect('✓ Details saved.');
    await terminal.expect('? Add a dish to your cart:');
    await terminal.choose('Drop this order');
    await terminal.expect('Order dropped.');
    await exitFromMenu(terminal);

    const viewer = await cluster.gql(VIEWER, {}, token);
    expect(viewer.data?.viewer).toMatchObject({ firstName: 'Ada', lastName: 'Byron', phone: '+442079460999', postcode: 'SW1A 1AA' });
    expect(await ordersOf(token)).toEqual([]);
  });

  it('keeps a postcode it cannot check while the postcode service is down, and offers to try again or go back', async () => {
    const config = configDir();
    const terminal = order(config);
    await terminal.expect('? What would you like to do?');
    await terminal.choose('Create a new order');
    await newCustomerUpToPostcode(terminal, ['Alan', 'Turing', '0161 496 0123']);
    mock.setMode('error500');
    terminal.answer('m1 1ae');
    await terminal.expect('✔ Postcode: m1 1ae (not checked)');
    await terminal.expect('✗ The postcode service could not be reached');
    await terminal.expect('? The postcode could not be checked:');
    await terminal.choose('Try again');
    // The postcode is still there: Enter sends it again.
    await terminal.expect('? Postcode: m1 1ae');
    mock.setMode('normal');
    terminal.answer('');
    await terminal.expect('✔ Postcode: M1 1AE');
    await terminal.expect('? Address:');
    terminal.answer('1 Test Street, Manchester');
    await terminal.expect('✓ Details saved.');
    await terminal.expect('? Add a dish to your cart:');
    await terminal.choose('Drop this order');
    await exitFromMenu(terminal);
    const token = new CredentialStore(config, () => {}).token(url);
    expect((await cluster.gql(VIEWER, {}, token ?? '')).data?.viewer).toMatchObject({ firstName: 'Alan', postcode: 'M1 1AE' });

    // Or back to the menu, changing nothing.
    const returning = await returningCustomer();
    const again = order(returning.config);
    await again.expect('? What would you like to do?');
    await again.choose('Create a new order');
    await again.expect('? Are these details correct?');
    again.answer('n');
    for (const field of ['First name', 'Last name', 'Phone number']) {
      await again.expect(`? ${field}:`);
      again.answer('');
    }
    await again.expect('? Postcode: (SW1A 1AA)');
    mock.setMode('error500');
    again.answer('b33 8th');
    await again.expect('? The postcode could not be checked:');
    await again.choose('Back to the menu');
    await again.expect('Your details were not saved.');
    await exitFromMenu(again);
    expect((await cluster.gql(VIEWER, {}, returning.token)).data?.viewer).toMatchObject({ postcode: 'SW1A 1AA' });
  });

  it('shows the history newest first, and cancels an active order chosen by id after confirmation', async () => {
    const { config, token } = await returningCustomer();
    const older = (await placeOrder(cluster, token, [{ productId: 'ramen', quantity: 1 }])).data?.placeOrder.order.id;
    const newer = (await placeOrder(cluster, token, [{ productId: 'falafel-wrap', quantity: 3 }])).data?.placeOrder.order.id;
    expect(Number(newer)).toBeGreaterThan(Number(older));

    const terminal = order(config);
    await terminal.expect('? What would you like to do?');
    await terminal.choose('View order history');
    await terminal.expect('Your orders, newest first (2):');
    // Newest first: each expect starts after the previous match.
    await terminal.expect(new RegExp(`Order #${newer} · PLACED · Standard delivery`));
    await terminal.expect(/3 × Falafel Wrap .*£22\.50/);
    await terminal.expect(/Total +£26\.49/);
    await terminal.expect(new RegExp(`Order #${older} · PLACED · Standard delivery`));
    await terminal.expect(/1 × Tonkotsu Ramen .*£13\.50/);

    await terminal.expect('? What would you like to do?');
    await terminal.choose('Cancel an order');
    await terminal.expect('? Which order do you want to cancel?');
    await terminal.choose(`#${older} `);
    await terminal.expect(`? Cancel order #${older}?`);
    terminal.answer('y');
    // Cancelled, and refunded: what it cost is given back in full.
    await terminal.expect(`✓ Order #${older} cancelled: £17.49 refunded in full.`);
    await terminal.expect('? What would you like to do?');
    await terminal.choose('View order history');
    await terminal.expect(new RegExp(`Order #${older} · CANCELLED`));
    await terminal.expect(/Total +£17\.49\n +Refunded +£17\.49/);

    // Only the active order is offered now.
    await terminal.expect('? What would you like to do?');
    await terminal.choose('Cancel an order');
    const list = await terminal.expect(/Which order do you want to cancel\?[^]*None: back to the menu/);
    expect(list).toContain(`#${newer} `);
    expect(list).not.toContain(`#${older} `);
    await terminal.choose('None: back to the menu');
    await exitFromMenu(terminal);

    const statuses = Object.fromEntries((await ordersOf(token)).map((o) => [o.id, o.status]));
    expect(statuses).toEqual({ [String(older)]: 'CANCELLED', [String(newer)]: 'PLACED' });
  });

  it('prints the history as JSON for scripts with --history --json, and plain text with --history', async () => {
    const { config, token } = await returningCustomer();
    const first = (await placeOrder(cluster, token, [{ productId: 'brownie', quantity: 2 }])).data?.placeOrder.order.id;
    const second = (await placeOrder(cluster, token, [{ productId: 'pad-thai', quantity: 1 }])).data?.placeOrder.order.id;
    await cluster.gql(`mutation { cancelOrder(input: { orderId: "${first}" }) { order { id } } }`, {}, token);

    const json = await runJustHungry(['order', '--url', url, '--history', '--json'], { JH_CONFIG_DIR: config });
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const { orders } = JSON.parse(json.stdout) as { orders: OrderRow[] };
    expect(orders.map((o) => [o.id, o.status])).toEqual([
      [second, 'PLACED'],
      [first, 'CANCELLED'],
    ]);
    expect(orders[1]).toMatchObject({ lines: [{ productName: 'Chocolate Brownie', quantity: 2 }], total: { minorUnits: 1299, formatted: '£12.99' } });

    const text = await runJustHungry(['order', '--url', url, '--history'], { JH_CONFIG_DIR: config, NO_COLOR: '1' });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Order #${second} · PLACED[^]*Order #${first} · CANCELLED[^]*Total +£12\\.99\n +Refunded +£12\\.99`));
    // Each order says when it was placed and, once it has moved on, when it reached its status.
    expect(text.stdout).toMatch(new RegExp(`Order #${second} · PLACED · Standard delivery · placed \\d+ \\w+ \\d{4}, \\d\\d:\\d\\d\n`));
    expect(text.stdout).toMatch(new RegExp(`Order #${first} · CANCELLED · Standard delivery · placed [^·]+ · cancelled \\d+ \\w+ \\d{4}, \\d\\d:\\d\\d\n`));

    const nobody = await runJustHungry(['order', '--url', url, '--history', '--json'], { JH_CONFIG_DIR: configDir() });
    expect(nobody.code).toBe(1);
    expect(nobody.stdout).toBe('');
    expect(nobody.stderr).toMatch(/No customer is saved for .*: place an order first/);

    const misuse = await runJustHungry(['order', '--url', url, '--json'], { JH_CONFIG_DIR: config });
    expect(misuse.code).toBe(2);
    expect(misuse.stderr).toMatch(/--json goes with --history/);
  });

  it('forgets the saved customer with --forget', async () => {
    const { config } = await returningCustomer();
    const forget = await runJustHungry(['order', '--url', url, '--forget'], { JH_CONFIG_DIR: config });
    expect(forget.code).toBe(0);
    expect(forget.stdout).toContain(`Forgot the customer saved for ${url}.`);
    expect(new CredentialStore(config, () => {}).token(url)).toBeNull();
    const history = await runJustHungry(['order', '--url', url, '--history', '--json'], { JH_CONFIG_DIR: config });
    expect(history.code).toBe(1);
  });

  it('drops a saved token the gateway does not know and asks for the details again', async () => {
    const config = configDir();
    new CredentialStore(config, () => {}).save(url, 'jh_not-a-real-token');
    const terminal = order(config);
    await terminal.expect('This gateway no longer knows your saved details');
    await terminal.expect('? What would you like to do?');
    expect(new CredentialStore(config, () => {}).token(url)).toBeNull();
    await terminal.choose('Create a new order');
    await terminal.expect('Your contact details, please:');
    await terminal.expect('? First name:');
  });

  it('follows one order live with --watch, from what it has been through to its delivery, each move once, then exits', async () => {
    const { config, token } = await returningCustomer();
    const staff = async (role: 'kitchen' | 'courier') => (await addStaff(cluster, `A ${role}`, role)).token;
    const [kitchen, courier] = [await staff('kitchen'), await staff('courier')];
    const orderId = (await placeOrder(cluster, token, [{ productId: 'margherita', quantity: 1 }])).data?.placeOrder.order.id as string;
    const move = async (who: string, to: string) => {
      const moved = await cluster.gql('mutation ($input: MoveOrderInput!) { moveOrder(input: $input) { errors { message } } }', { input: { orderId, to } }, who);
      expect(moved.data?.moveOrder.errors).toEqual([]);
    };
    await move(kitchen, 'ACCEPTED');

    const watch = order(config, ['--watch', orderId]);
    await watch.expect(`Order #${orderId} · Standard delivery`);
    await watch.expect(/PLACED +placed[^]*ACCEPTED +accepted by the kitchen/);
    await watch.expect('Watching for the next step');
    for (const to of ['PREPARING', 'READY']) await move(kitchen, to);
    for (const to of ['OUT_FOR_DELIVERY', 'DELIVERED']) await move(courier, to);
    await watch.expect('DELIVERED  delivered. Enjoy your meal!');
    expect((await watch.exited).exitCode).toBe(0);
    const moves = watch.text().match(/(PLACED|ACCEPTED|PREPARING|READY|OUT_FOR_DELIVERY|DELIVERED) {2}/g);
    expect(moves).toEqual(['PLACED  ', 'ACCEPTED  ', 'PREPARING  ', 'READY  ', 'OUT_FOR_DELIVERY  ', 'DELIVERED  ']);

    // An order that is not the customer's, and a bad id, each get one line.
    const notMine = await runJustHungry(['order', '--url', url, '--watch', '999999'], { JH_CONFIG_DIR: config });
    expect(notMine).toMatchObject({ code: 1, stderr: expect.stringContaining('You have no order 999999') });
    const bad = await runJustHungry(['order', '--url', url, '--watch', 'abc'], { JH_CONFIG_DIR: config });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--watch <id>' argument 'abc' is invalid\. expected an order number/);
  });

  it('exits cleanly on Ctrl-C at any prompt (Bye., exit code 130)', async () => {
    const atMenu = order(configDir());
    await atMenu.expect('? What would you like to do?');
    atMenu.write(KEY.ctrlC);
    await atMenu.expect('Bye.');
    expect((await atMenu.exited).exitCode).toBe(130);
    expect(atMenu.text()).not.toMatch(/Error|at .*\.ts:\d+/);

    const midOrder = order(configDir());
    await midOrder.expect('? What would you like to do?');
    await midOrder.choose('Create a new order');
    await midOrder.expect('? First name:');
    midOrder.answer('Ada');
    await midOrder.expect('? Last name:');
    midOrder.write(KEY.ctrlC);
    await midOrder.expect('Bye.');
    expect((await midOrder.exited).exitCode).toBe(130);
    expect(midOrder.text()).not.toMatch(/Error|at .*\.ts:\d+/);

    // Between prompts too: here while it waits to try an unreachable gateway again.
    const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
    const waiting = Terminal.start(['order', '--url', nowhere], { JH_CONFIG_DIR: configDir(), JH_RETRY_INTERVAL_MS: '60000' });
    terminals.push(waiting);
    await waiting.expect('(retry 1 of 5)');
    waiting.write(KEY.ctrlC);
    await waiting.expect('Bye.');
    expect((await waiting.exited).exitCode).toBe(130);
  });

  it('goes back to the menu when the gateway is lost while it runs, and carries on once it is back', async () => {
    const { config } = await returningCustomer();
    const terminal = order(config, [], { JH_RETRY_INTERVAL_MS: '100' });
    await terminal.expect('? What would you like to do?');
    await cluster.kill('gateway');
    try {
      await terminal.choose('View order history');
      await terminal.expect('(retry 5 of 5)');
      await terminal.expect(/✗ Cannot reach the gateway at .* even after 5 retries\./);
      await terminal.expect('? What would you like to do?');
    } finally {
      await cluster.startGateway();
      await cluster.waitForView(2);
      await cluster.waitForCatalog();
    }
    await terminal.choose('View order history');
    await terminal.expect('You have no orders yet.');
    await exitFromMenu(terminal);
  });

  it('retries an unreachable gateway 5 times, saying so, then exits with a clear message', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/graphql`;
    const terminal = Terminal.start(['order', '--url', nowhere], { JH_CONFIG_DIR: configDir(), JH_RETRY_INTERVAL_MS: '100' });
    terminals.push(terminal);
    const { exitCode } = await terminal.exited;
    const text = terminal.text();
    for (let retry = 1; retry <= 5; retry++) {
      expect(text).toContain(`Cannot reach the gateway at ${nowhere} (ECONNREFUSED); trying again in 100 ms (retry ${retry} of 5)...`);
    }
    expect(text).not.toContain('retry 6');
    expect(text).toMatch(/Cannot reach the gateway at .* even after 5 retries\. Is it running\?/);
    expect(text).not.toMatch(/at .*\.ts:\d+/);
    expect(exitCode).toBe(1);
  });
});

