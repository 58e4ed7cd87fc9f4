// `just-hungry staff` against a running cluster (in this process, on real
// sockets), as an operator would use it: add prints a token once and the
// replicas keep only its hash, replicated to every one; list and remove do
// what they say; bad flags and a wrong data directory get one clear line.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCluster } from './helpers/in-process.ts';
import { runJustHungry } from './helpers/pty.ts';
import { DETAILS, SAVE_DETAILS, addStaff, newCustomer, placeOrder } from './helpers/shop.ts';
import { subscribe } from './helpers/subscribe.ts';
import { waitFor } from './helpers/cluster.ts';

describe('just-hungry staff', () => {
  let cluster: InProcessCluster;
  const staff = (...args: string[]) => runJustHungry(['staff', ...args, '--data', cluster.dataDir, '--gateway', cluster.gatewayUrl], {});

  beforeAll(async () => {
    cluster = await InProcessCluster.start({ replicas: 3 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('adds staff with a token shown once and kept only as its hash on every replica, lists them, and removes them', async () => {
    expect((await staff('list')).stdout).toContain('No staff yet');

    const added = await staff('add', 'Sam Cook', '--role', 'kitchen');
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const token = /shown this once \(only its hash is kept\): (jhs_[A-Za-z0-9_-]{43})\n/.exec(added.stdout)?.[1];
    const samId = /, id ([0-9a-f-]{36})\./.exec(added.stdout)?.[1];
    expect(token).toBeDefined();
    const ria = JSON.parse((await staff('add', '  Ria  ', '--role', 'courier', '--json')).stdout) as { staff: { id: string; name: string; role: string }; token: string };
    expect(ria.staff).toMatchObject({ name: 'Ria', role: 'COURIER' });

    const listed = await staff('list');
    expect(listed.stdout).toMatch(new RegExp(`Sam Cook +kitchen +${samId}`));
    expect(listed.stdout).toMatch(/Ria +courier/);
    const asJson = JSON.parse((await staff('list', '--json')).stdout) as { staff: { name: string }[] };
    expect(asJson.staff.map((s) => s.name)).toEqual(['Ria', 'Sam Cook']);
    expect(JSON.stringify(asJson)).not.toContain('jhs_');

    // Every replica has both, by the same state, and holds the token's hash, never the token.
    await cluster.waitForConvergence(3);
    for (const name of ['1', '2', '3']) {
      const db = new Database(join(cluster.dataDir, 'replicas', `${name}.db`), { readonly: true });
      try {
        const rows = db.prepare('SELECT name, role, token_hash FROM staff ORDER BY name').all() as { name: string; role: string; token_hash: string }[];
        expect(rows.map((r) => `${r.name}:${r.role}`)).toEqual(['Ria:COURIER', 'Sam Cook:KITCHEN']);
        expect(rows.find((r) => r.name === 'Sam Cook')?.token_hash).toBe(createHash('sha256').update(token ?? '').digest('hex'));
      } finally {
        db.close();
      }
    }

    expect((await staff('remove', samId ?? '')).stdout).toBe('Removed Sam Cook (kitchen): their token no longer works.\n');
    expect((await staff('list')).stdout).not.toContain('Sam Cook');
    const gone = await staff('remove', samId ?? '');
    expect(gone).toMatchObject({ code: 2, stdout: '' });
    expect(gone.stderr).toBe(`error: There is no member of staff ${samId}.\n`);
  });

  it('refuses a bad role, a missing role, an empty name and a wrong data directory with one line', async () => {
    const badRole = await staff('add', 'Max', '--role', 'chef');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role <role>' argument 'chef' is invalid\. Allowed choices are kitchen, courier, operator/);
    const noRole = await staff('add', 'Max');
    expect(noRole).toMatchObject({ code: 2 });
    expect(noRole.stderr).toMatch(/required option '--role <role>' not specified/);
    const empty = await staff('add', '   ', '--role', 'operator');
    expect(empty).toMatchObject({ code: 2, stderr: 'error: A name is 1 to 100 characters.\n' });
    // However long: the message the primary gives, not the wire's refusal.
    for (const name of ['M'.repeat(101), 'M'.repeat(5000)]) {
      const long = await staff('add', name, '--role', 'kitchen');
      expect(long).toMatchObject({ code: 2, stdout: '' });
      expect(long.stderr).toMatch(/^error: The name is too long/);
    }

    const elsewhere = mkdtempSync(join(tmpdir(), 'jh-staff-'));
    try {
      const wrong = await runJustHungry(['staff', 'list', '--data', elsewhere, '--gateway', cluster.gatewayUrl], { JH_CLUSTER_SECRET: '' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/refused the cluster secret from .*: use the --data directory the cluster runs with/);
      expect(wrong.stderr).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('staff moving orders through GraphQL', () => {
  let cluster: InProcessCluster;
  const staffToken = (name: string, role: 'kitchen' | 'courier' | 'operator') => addStaff(cluster, name, role);
  const MOVE = 'mutation ($input: MoveOrderInput!) { moveOrder(input: $input) { order { id status timeline { status by } } errors { code message } } }';
  const move = (token: string, orderId: string, to: string, reason?: string) => cluster.gql(MOVE, { input: { orderId, to, reason } }, token);

  beforeAll(async () => {
    cluster = await InProcessCluster.start({ replicas: 2 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('lets the kitchen and a courier take a delivery order from PLACED to DELIVERED, each only its own moves, and the customer sees every step', async () => {
    const kitchen = (await staffToken('Sam', 'kitchen')).token;
    const courier = (await staffToken('Ria', 'courier')).token;
    // The kitchen follows every order live, as its board does.
    const board = await subscribe<{ id: string; status: string }>('ws', cluster.gatewayUrl, 'subscription { staffOrderChanged { id status } }', kitchen);
    const customer = await newCustomer(cluster, { firstName: 'Alan', lastName: 'Turing', phone: '0161 496 0123', address: '1 Bletchley Park' });
    const placed = await placeOrder(cluster, customer, [{ productId: 'margherita', quantity: 1 }]);
    const orderId = placed.data?.placeOrder.order.id as string;
    // Details changed after the order was placed do not move it.
    await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, address: '2 Elsewhere Road' } }, customer);

    const queue = await cluster.gql<{ staffOrders: { id: string; status: string }[] }>('{ staffOrders(statuses: [PLACED]) { id status } }', {}, kitchen);
    expect(queue.data?.staffOrders.map((o) => o.id)).toContain(orderId);

    for (const to of ['ACCEPTED', 'PREPARING', 'READY']) expect((await move(kitchen, orderId, to)).data?.moveOrder).toMatchObject({ errors: [], order: { status: to } });
    const notTheKitchens = await move(kitchen, orderId, 'OUT_FOR_DELIVERY');
    expect(notTheKitchens.data?.moveOrder.errors).toEqual([{ code: 'INVALID_TRANSITION', message: `Order ${orderId} is ready (READY): only a courier or an operator may move it to OUT_FOR_DELIVERY.` }]);
    // A courier's queue: ready deliveries, with who and where they go.
    const ready = await cluster.gql<{ staffOrders: { id: string; deliverTo: unknown }[] }>('{ staffOrders(statuses: [READY]) { id deliverTo { name phone address postcode } } }', {}, courier);
    expect(ready.data?.staffOrders.find((o) => o.id === orderId)?.deliverTo).toEqual({ name: 'Alan Turing', phone: '+441614960123', address: '1 Bletchley Park', postcode: 'SW1A 1AA' });
    for (const to of ['OUT_FOR_DELIVERY', 'DELIVERED']) expect((await move(courier, orderId, to)).data?.moveOrder).toMatchObject({ errors: [], order: { status: to } });
    // The board saw the order placed and each move, once and in order.
    await waitFor('every move on the board', () => board.events.filter((e) => e.id === orderId).length >= 6);
    expect(board.events.filter((e) => e.id === orderId).map((e) => e.status)).toEqual(['PLACED', 'ACCEPTED', 'PREPARING', 'READY', 'OUT_FOR_DELIVERY', 'DELIVERED']);
    await board.close();

    const seen = await cluster.gql<{ order: { status: string; active: boolean; timeline: { status: string; by: string }[] } }>('query ($id: ID!) { order(id: $id) { status active timeline { status by } } }', { id: orderId }, customer);
    expect(seen.data?.order).toEqual({
      status: 'DELIVERED',
      active: true,
      timeline: [
        { status: 'PLACED', by: 'CUSTOMER' }, { status: 'ACCEPTED', by: 'KITCHEN' }, { status: 'PREPARING', by: 'KITCHEN' },
        { status: 'READY', by: 'KITCHEN' }, { status: 'OUT_FOR_DELIVERY', by: 'COURIER' }, { status: 'DELIVERED', by: 'COURIER' },
      ],
    });
  });

  it('refuses staff fields to customers, to no token and to removed staff, with FORBIDDEN saying what to send, and a staff token is no customer', async () => {
    const { token: kitchen, staff } = await staffToken('Max', 'kitchen');
    const customer = await newCustomer(cluster);
    const orderId = (await placeOrder(cluster, customer, [{ productId: 'margherita', quantity: 1 }])).data?.placeOrder.order.id as string;
    for (const token of [customer, undefined]) {
      const refused = await move(token as string, orderId, 'ACCEPTED');
      expect(refused.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^Mutation\.moveOrder is for staff whose role allows it: send their token/), extensions: { code: 'FORBIDDEN' } });
      expect((await cluster.gql('{ staffOrders { id } }', {}, token as string)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const feed = await subscribe('sse', cluster.gatewayUrl, 'subscription { staffOrderChanged { id } }', token);
      await waitFor('the refusal', () => feed.errors.length > 0);
      expect(JSON.stringify(feed.errors)).toContain('FORBIDDEN');
      await feed.close();
    }
    expect((await cluster.gql<{ viewer: unknown }>('{ viewer { id } }', {}, kitchen)).data?.viewer).toBeNull();
    // A staff screen asks whom its token belongs to; anyone else is no member of staff.
    const WHO = '{ staffViewer { id name role } }';
    expect((await cluster.gql(WHO, {}, kitchen)).data?.staffViewer).toEqual({ id: staff.id, name: 'Max', role: 'KITCHEN' });
    for (const token of [customer, undefined]) expect((await cluster.gql(WHO, {}, token as string)).data?.staffViewer).toBeNull();
    // A rejection's reason, however long, is answered in the primary's words, and nothing moves.
    for (const reason of ['x'.repeat(501), 'x'.repeat(5000)]) {
      const refused = await move(kitchen, orderId, 'REJECTED', reason);
      expect(refused.data?.moveOrder.errors).toEqual([{ code: 'INVALID_INPUT', message: 'The reason is too long (at most 500 characters).' }]);
    }
    // Their board is open when they are removed: it ends then, and tells them why, rather than showing them every order still.
    const board = await subscribe<{ id: string }>('ws', cluster.gatewayUrl, 'subscription { staffOrderChanged { id } }', kitchen);
    await runJustHungry(['staff', 'remove', staff.id, '--data', cluster.dataDir, '--gateway', cluster.gatewayUrl], {});
    await waitFor('the board to end', () => board.done);
    expect(JSON.stringify(board.errors)).toContain("Max's staff token was removed: this feed has ended.");
    await placeOrder(cluster, customer, [{ productId: 'margherita', quantity: 1 }]);
    expect(board.events).toEqual([]);
    await board.close();
    expect((await move(kitchen, orderId, 'ACCEPTED')).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await cluster.gql(WHO, {}, kitchen)).data?.staffViewer).toBeNull();
    // Nothing moved: the order is as placed.
    expect((await cluster.gql<{ order: { status: string } }>('query ($id: ID!) { order(id: $id) { status } }', { id: orderId }, customer)).data?.order.status).toBe('PLACED');
  });
});

