// A replica's durable state: the domain tables, the dedupe table and the recent
// log, in one SQLite file (WAL, synchronous=FULL). Two connections: `db` writes
// (and sees its own open transaction), `reader` serves reads and catch-up from
// the last committed state only, so nobody reads a write before it is acked.
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { privateDir, privateFile } from './private-files.ts';
import { dirname } from 'node:path';
import { type Entry, type Position, SNAPSHOT_PAGE_ROWS, type SnapshotChunk, type View } from './protocol.ts';
import { Effect, type EffectWire, resultOf } from './domain/effects.ts';
import { GENESIS, chainHash } from './hash-chain.ts';
import { fitShipment } from './core/shipments.ts';
import { invariant } from './core/invariant.ts';
import type { KeyedRequest, Remembered } from './domain/idempotency.ts';
import { STOCK_RETURNED, fulfilmentOf, withTimeline } from './domain/lifecycle.ts';

/** The statuses that do not stand (`isActive`), as an SQL list. */
const STOCK_RETURNED_SQL = [...STOCK_RETURNED].map((status) => `'${status}'`).join(', ');
import type { Customer, DeliveryOption, Order, OrderPage, OrderStatus, Product, Staff } from './domain/types.ts';

/** WAL pages after which a commit checkpoints by itself (about 40 MB). */
const WAL_PAGES_MAX = 10_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products (id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL,
  description TEXT NOT NULL, price_minor INTEGER NOT NULL, stock INTEGER NOT NULL CHECK (stock >= 0));
CREATE TABLE IF NOT EXISTS delivery_options (id TEXT PRIMARY KEY, position INTEGER NOT NULL, name TEXT NOT NULL,
  description TEXT NOT NULL, cost_minor INTEGER NOT NULL, fulfilment TEXT NOT NULL DEFAULT 'DELIVERY');
CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, first_name TEXT NOT NULL,
  last_name TEXT NOT NULL, phone TEXT NOT NULL, postcode TEXT NOT NULL, address TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL, idempotency_key TEXT NOT NULL,
  status TEXT NOT NULL, body TEXT NOT NULL, UNIQUE (customer_id, idempotency_key));
CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, id);
CREATE INDEX IF NOT EXISTS orders_by_customer_status ON orders (customer_id, status, id);
CREATE INDEX IF NOT EXISTS orders_by_status ON orders (status, id);
CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, request_id TEXT NOT NULL,
  effect TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dedupe (request_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, result TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (seq INTEGER PRIMARY KEY, scope TEXT NOT NULL, key TEXT NOT NULL,
  request_hash TEXT NOT NULL, result TEXT NOT NULL, UNIQUE (scope, key));
CREATE INDEX IF NOT EXISTS dedupe_by_seq ON dedupe (seq);
CREATE TABLE IF NOT EXISTS staff (id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE);
`;

/** Free room a replica must be able to write before it takes part again after a disk failure. */
const DISK_PROBE_BYTES = 1024 * 1024;

/**
 * The disk (not the data) failed: full, or an I/O error. The replica steps
 * out of the view until it can write again; its committed state is intact.
 */
export function isDiskError(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return false;
  return (
    code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') ||
    code === 'ENOSPC' || code === 'EIO' || code === 'EDQUOT' || code === 'EROFS'
  );
}

const parseEffect = (text: string): Effect => Effect.parse(JSON.parse(text));


type Row = Record<string, unknown>;
const str = (row: Row, key: string): string => String(row[key]);
const num = (row: Row, key: string): number => Number(row[key]);

const toProduct = (r: Row): Product => ({
  id: str(r, 'id'),
  name: str(r, 'name'),
  description: str(r, 'description'),
  priceMinor: num(r, 'price_minor'),
  stock: num(r, 'stock'),
});
const toDeliveryOption = (r: Row): DeliveryOption => ({
  id: str(r, 'id'),
  name: str(r, 'name'),
  description: str(r, 'description'),
  costMinor: num(r, 'cost_minor'),
  fulfilment: str(r, 'fulfilment') === 'COLLECTION' ? 'COLLECTION' : 'DELIVERY',
});
const toCustomer = (r: Row): Customer => ({
  id: str(r, 'id'),
  firstName: str(r, 'first_name'),
  lastName: str(r, 'last_name'),
  phone: str(r, 'phone'),
  postcode: str(r, 'postcode'),
  address: str(r, 'address'),
});
const toOrder = (r: Row): Order => JSON.parse(str(r, 'body')) as Order;
const toStaff = (r: Row): Staff => ({ id: str(r, 'id'), name: str(r, 'name'), role: str(r, 'role') as Staff['role'] });

/**
 * Brings a store made before the order lifecycle up to date, once, in one
 * transaction: delivery options learn how they are fulfilled (the first
 * catalogue's "collection" is collected), and orders get their lifecycle
 * form (ACTIVE is PLACED; a timeline from their creation: `withTimeline`),
 * the form in which applying their old effects saves them too, so replicas
 * that upgraded and replicas that caught up agree.
 */
function upgrade(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(delivery_options)').all() as { name: string }[];
  db.transaction(() => {
    if (!columns.some((c) => c.name === 'fulfilment')) {
      db.exec("ALTER TABLE delivery_options ADD COLUMN fulfilment TEXT NOT NULL DEFAULT 'DELIVERY'");
      db.exec("UPDATE delivery_options SET fulfilment = 'COLLECTION' WHERE id = 'collection'");
    }
    // Once per store: a scan of every order's body is no work for each start.
    if (db.prepare("SELECT 1 FROM meta WHERE key = 'ordersHaveTimelines'").get()) return;
    const update = db.prepare('UPDATE orders SET status = ?, body = ? WHERE id = ?');
    for (const row of db.prepare("SELECT id, body FROM orders WHERE status = 'ACTIVE' OR body NOT LIKE '%\"timeline\":%'").all() as Row[]) {
      const order = withTimeline(JSON.parse(str(row, 'body')) as Order);
      update.run(order.status, JSON.stringify(order), num(row, 'id'));
    }
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('ordersHaveTimelines', '1')").run();
  })();
}
const toEntry = (r: Row): Entry => ({
  seq: num(r, 'seq'),
  epoch: num(r, 'epoch'),
  requestId: str(r, 'request_id'),
  effect: str(r, 'effect'),
  hash: str(r, 'hash'),
});

/** Reads that work on either connection: the write one sees the open batch. */
class Queries {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
  protected all(sql: string, ...params: unknown[]): Row[] {
    return this.stmt(sql).all(...params) as Row[];
  }
  protected get(sql: string, ...params: unknown[]): Row | undefined {
    return this.stmt(sql).get(...params) as Row | undefined;
  }
  protected run(sql: string, ...params: unknown[]): void {
    this.stmt(sql).run(...params);
  }

  /** Runs several reads as one consistent snapshot of this connection. */
  consistent<T>(read: () => T): T {
    return this.db.transaction(read)();
  }

  products(): Product[] {
    return this.all('SELECT * FROM products ORDER BY position').map(toProduct);
  }
  product(id: string): Product | null {
    const row = this.get('SELECT * FROM products WHERE id = ?', id);
    return row ? toProduct(row) : null;
  }
  deliveryOptions(): DeliveryOption[] {
    return this.all('SELECT * FROM delivery_options ORDER BY position').map(toDeliveryOption);
  }
  catalogLoaded(): boolean {
    return this.get('SELECT 1 AS one FROM delivery_options LIMIT 1') !== undefined;
  }
  customer(id: string): Customer | null {
    const row = this.get('SELECT * FROM customers WHERE id = ?', id);
    return row ? toCustomer(row) : null;
  }
  customerByTokenHash(tokenHash: string): Customer | null {
    const row = this.get('SELECT * FROM customers WHERE token_hash = ?', tokenHash);
    return row ? toCustomer(row) : null;
  }
  staffMember(id: string): Staff | null {
    const row = this.get('SELECT * FROM staff WHERE id = ?', id);
    return row ? toStaff(row) : null;
  }
  staffByTokenHash(tokenHash: string): Staff | null {
    const row = this.get('SELECT * FROM staff WHERE token_hash = ?', tokenHash);
    return row ? toStaff(row) : null;
  }
  /** Every member of staff, by role then name. */
  staffList(): Staff[] {
    return this.all('SELECT * FROM staff ORDER BY role, name, id').map(toStaff);
  }
  /** Orders in these statuses, oldest first (staff's queues). */
  ordersInStatus(statuses: OrderStatus[], first: number): Order[] {
    return this.all(`SELECT body FROM orders WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY id LIMIT ?`, ...statuses, first).map(toOrder);
  }
  orderById(orderId: string): Order | null {
    if (!/^\d{1,15}$/.test(orderId)) return null;
    const row = this.get('SELECT body FROM orders WHERE id = ?', Number(orderId));
    return row ? toOrder(row) : null;
  }
  order(customerId: string, orderId: string): Order | null {
    if (!/^\d{1,15}$/.test(orderId)) return null;
    const row = this.get('SELECT body FROM orders WHERE id = ? AND customer_id = ?', Number(orderId), customerId);
    return row ? toOrder(row) : null;
  }
  orderByIdempotencyKey(customerId: string, key: string): Order | null {
    const row = this.get('SELECT body FROM orders WHERE customer_id = ? AND idempotency_key = ?', customerId, key);
    return row ? toOrder(row) : null;
  }
  remembered(scope: string, key: string): Remembered | null {
    const row = this.get('SELECT request_hash, result FROM idempotency WHERE scope = ? AND key = ?', scope, key);
    return row ? { requestHash: str(row, 'request_hash'), result: JSON.parse(str(row, 'result')) as unknown } : null;
  }
  lastOrderId(): number {
    return num(this.get('SELECT coalesce(max(id), 0) AS id FROM orders') ?? { id: 0 }, 'id');
  }
  orders(customerId: string, query: { status?: OrderStatus | null; active?: boolean | null; first: number; beforeId?: string | null }): OrderPage {
    const before = query.beforeId && /^\d{1,15}$/.test(query.beforeId) ? Number(query.beforeId) : Number.MAX_SAFE_INTEGER;
    const status = query.status ?? null;
    // Active in the first version's sense: neither cancelled nor rejected (lifecycle.ts, `isActive`).
    const active = query.active == null ? '' : ` AND status ${query.active ? 'NOT IN' : 'IN'} (${STOCK_RETURNED_SQL})`;
    const filter = (status ? 'customer_id = ? AND status = ?' : 'customer_id = ?') + active;
    const args = status ? [customerId, status] : [customerId];
    const rows = this.all(`SELECT body FROM orders WHERE ${filter} AND id < ? ORDER BY id DESC LIMIT ?`, ...args, before, query.first + 1);
    const totalCount = num(this.get(`SELECT count(*) AS n FROM orders WHERE ${filter}`, ...args) ?? { n: 0 }, 'n');
    return { orders: rows.slice(0, query.first).map(toOrder), totalCount, hasNextPage: rows.length > query.first };
  }
  /** The result a request already applied here had, and the seq of its entry (null if none is held). */
  dedupedResult(requestId: string): { seq: number; result: string } | null {
    const row = this.get('SELECT seq, result FROM dedupe WHERE request_id = ?', requestId);
    return row ? { seq: num(row, 'seq'), result: str(row, 'result') } : null;
  }
  /** Up to `limit` entries after `seq`, and no more than `bytesMax` of effect text (always at least one). */
  entriesAfter(seq: number, limit: number, bytesMax = Number.POSITIVE_INFINITY): Entry[] {
    const entries: Entry[] = [];
    let bytes = 0;
    for (const row of this.all('SELECT * FROM log WHERE seq > ? ORDER BY seq LIMIT ?', seq, limit)) {
      const entry = toEntry(row);
      bytes += entry.effect.length;
      if (entries.length > 0 && bytes > bytesMax) break;
      entries.push(entry);
    }
    return entries;
  }
  logEntry(seq: number): Entry | null {
    const row = this.get('SELECT * FROM log WHERE seq = ?', seq);
    return row ? toEntry(row) : null;
  }
  meta(key: string): string | null {
    const row = this.get('SELECT value FROM meta WHERE key = ?', key);
    return row ? str(row, 'value') : null;
  }
  /** The position this connection sees: the last log entry, or the base a snapshot left. */
  position(): Position {
    const last = this.get('SELECT seq, hash FROM log ORDER BY seq DESC LIMIT 1');
    if (last) return { seq: num(last, 'seq'), hash: str(last, 'hash') };
    const base = this.meta('logBase');
    return base ? (JSON.parse(base) as Position) : GENESIS;
  }
  /** The hash at `seq` if this connection can vouch for it (in the log, or the log's base). */
  hashAt(seq: number): string | null {
    const entry = this.logEntry(seq);
    if (entry) return entry.hash;
    const base = this.meta('logBase');
    const position = base ? (JSON.parse(base) as Position) : GENESIS;
    return position.seq === seq ? position.hash : null;
  }

  /**
   * This connection's state as snapshot chunks, page by page. The caller
   * holds a read transaction around the whole walk (see Store.snapshotChunks),
   * so every page comes from the same state.
   */
  *chunks(pageRows: number): Generator<SnapshotChunk> {
    const staff = this.all('SELECT * FROM staff ORDER BY id').map((r) => ({ ...toStaff(r), tokenHash: str(r, 'token_hash') }));
    yield { kind: 'head', position: this.position(), products: this.products(), deliveryOptions: this.deliveryOptions(), staff };
    const counts = { customers: 0, orders: 0, dedupe: 0, idempotency: 0 };
    for (const rows of this.pages('customers', 'id', '', pageRows)) {
      counts.customers += rows.length;
      yield { kind: 'customers', rows: rows.map((r) => ({ ...toCustomer(r), tokenHash: str(r, 'token_hash') })) };
    }
    for (const rows of this.pages('orders', 'id', -1, pageRows)) {
      counts.orders += rows.length;
      yield { kind: 'orders', rows: rows.map(toOrder) };
    }
    for (const rows of this.pages('dedupe', 'request_id', '', pageRows)) {
      counts.dedupe += rows.length;
      yield { kind: 'dedupe', rows: rows.map((r) => ({ requestId: str(r, 'request_id'), seq: num(r, 'seq'), result: str(r, 'result') })) };
    }
    for (const rows of this.pages('idempotency', 'seq', -1, pageRows)) {
      counts.idempotency += rows.length;
      yield { kind: 'idempotency', rows: rows.map((r) => ({ seq: num(r, 'seq'), scope: str(r, 'scope'), key: str(r, 'key'), requestHash: str(r, 'request_hash'), result: str(r, 'result') })) };
    }
    yield { kind: 'end', counts };
  }

  /** Every row of `table` in pages of `pageRows`, in the order of its key (keyset paging: each page starts after the last key). */
  private *pages(table: 'customers' | 'orders' | 'dedupe' | 'idempotency', key: 'id' | 'request_id' | 'seq', before: string | number, pageRows: number): Generator<Row[]> {
    for (let after = before; ; ) {
      const rows = this.all(`SELECT * FROM ${table} WHERE ${key} > ? ORDER BY ${key} LIMIT ?`, after, pageRows);
      const last = rows.at(-1);
      if (!last) return;
      yield rows;
      const value = last[key];
      after = typeof value === 'number' ? value : String(value);
    }
  }

  /** A hash of the domain state and dedupe table (not the log): equal on replicas that agree. */
  stateHash(): string {
    const hash = createHash('sha256');
    const feed = (sql: string) => {
      for (const row of this.stmt(sql).iterate() as Iterable<Row>) hash.update(JSON.stringify(Object.values(row))).update('\n');
      hash.update('--\n');
    };
    feed('SELECT id, position, name, description, price_minor, stock FROM products ORDER BY id');
    feed('SELECT id, position, name, description, cost_minor, fulfilment FROM delivery_options ORDER BY id');
    feed('SELECT id, token_hash, first_name, last_name, phone, postcode, address FROM customers ORDER BY id');
    feed('SELECT id, customer_id, idempotency_key, status, body FROM orders ORDER BY id');
    feed('SELECT request_id, seq, result FROM dedupe ORDER BY request_id');
    feed('SELECT seq, scope, key, request_hash, result FROM idempotency ORDER BY seq');
    feed('SELECT id, name, role, token_hash FROM staff ORDER BY id');
    return hash.digest('hex');
  }
}

export class Store extends Queries {
  /** Reads of the last committed state (a second connection; WAL keeps it consistent). */
  readonly committed: Queries;
  private readonly reader: Database.Database;
  private tip: Position;
  /** setMetaOutsideRound values waiting for the open transaction to end. */
  private readonly heldMeta = new Map<string, string>();

  private constructor(
    private readonly writer: Database.Database,
    reader: Database.Database,
    private readonly path: string,
  ) {
    super(writer);
    this.reader = reader;
    this.committed = new Queries(reader);
    this.tip = this.position();
    // The store's identity: made with the file, so a wiped or replaced disk comes back as another store.
    this.run("INSERT OR IGNORE INTO meta (key, value) VALUES ('storeId', ?)", randomUUID());
    this.storeId = this.meta('storeId') ?? '';
  }

  /** Made when this file was created; a replica whose disk was wiped has a new one. */
  readonly storeId: string;

  /**
   * The highest seq this replica knows to be committed by the cluster (a
   * primary's own rounds, or the commit point a primary ships with its
   * entries). State at or below it is never given up for a snapshot.
   */
  knownCommittedSeq(): number {
    return Number(this.meta('committedSeq') ?? 0);
  }

  /** Remembers a commit point (in the open transaction, if one is open: it commits or rolls back with it). */
  noteCommitted(seq: number): void {
    if (seq > this.knownCommittedSeq()) this.setMeta('committedSeq', String(seq));
  }

  static open(path: string): Store {
    if (path !== ':memory:') {
      privateDir(dirname(path));
      for (const file of [path, `${path}-wal`, `${path}-shm`]) if (file === path || existsSync(file)) privateFile(file);
    }
    const writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = FULL');
    writer.pragma('busy_timeout = 5000');
    // Checkpoints run when the replica is idle (checkpoint()), not inside a
    // commit that a client waits on; a long busy spell still checkpoints at
    // WAL_PAGES_MAX, and the WAL file is cut back afterwards.
    writer.pragma(`wal_autocheckpoint = ${WAL_PAGES_MAX}`);
    writer.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    // Index pages of a large store stay in memory (the default is 2 MB).
    writer.pragma(`cache_size = -${64 * 1024}`);
    writer.exec(SCHEMA);
    upgrade(writer);
    const reader = new Database(path, { readonly: true });
    reader.pragma('busy_timeout = 5000');
    return new Store(writer, reader, path);
  }

  close(): void {
    this.reader.close();
    this.writer.close();
  }

  /** The newest position, including an open batch. */
  get head(): Position {
    return this.tip;
  }

  /** Copies the WAL into the database file as far as readers allow, unless a batch is open. */
  checkpoint(): void {
    if (!this.writer.inTransaction) this.writer.pragma('wal_checkpoint(PASSIVE)');
  }

  /**
   * Whether the disk takes writes again: room for DISK_PROBE_BYTES beside the
   * file, and the WAL copied into the database file (what fails first when
   * the disk is full). Throws the disk's error when it does not.
   */
  probeDisk(): void {
    if (this.path === ':memory:') return;
    const probe = `${this.path}.probe`;
    try {
      writeFileSync(probe, Buffer.alloc(DISK_PROBE_BYTES), { flush: true });
    } finally {
      rmSync(probe, { force: true });
    }
    if (!this.writer.inTransaction) this.writer.pragma('wal_checkpoint(TRUNCATE)');
  }

  get inTransaction(): boolean {
    return this.writer.inTransaction;
  }
  begin(): void {
    this.writer.exec('BEGIN IMMEDIATE');
  }
  commit(): void {
    this.writer.exec('COMMIT');
    this.writeHeldMeta();
  }
  /** Never throws for held metadata: a failed round's caller must get to answer its requests. */
  rollback(): void {
    if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
    this.tip = this.position();
    try {
      this.writeHeldMeta();
    } catch (error) {
      // Still held (writeHeldMeta puts them back): the next commit, rollback or setMetaOutsideRound writes them.
      if (!isDiskError(error)) throw error;
    }
  }

  savepoint(): void {
    this.writer.exec('SAVEPOINT command');
  }
  release(): void {
    this.writer.exec('RELEASE command');
  }
  rollbackToSavepoint(): void {
    this.writer.exec('ROLLBACK TO command; RELEASE command');
    this.tip = this.position();
  }

  /**
   * Metadata that must not ride on an open round (the view, the fence
   * epoch): a failed round would roll it back with itself. Written at once
   * when no transaction is open, else as soon as it ends, whatever its outcome.
   */
  setMetaOutsideRound(key: string, value: string): void {
    this.heldMeta.set(key, value);
    if (!this.writer.inTransaction) this.writeHeldMeta();
  }

  private writeHeldMeta(): void {
    if (this.heldMeta.size === 0) return;
    const held = [...this.heldMeta];
    this.transaction(() => {
      for (const [key, value] of held) this.setMeta(key, value);
    });
    for (const [key, value] of held) if (this.heldMeta.get(key) === value) this.heldMeta.delete(key);
  }

  setMeta(key: string, value: string): void {
    this.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }
  /** The newest view this replica has adopted, kept so a restart knows its epoch. */
  savedView(): View | null {
    const text = this.meta('view');
    return text ? (JSON.parse(text) as View) : null;
  }

  /** Appends one effect as the next log entry and applies it (inside an open transaction): logs and applies `effect` as its wire form (an order from before the lifecycle included), read back as every backup reads it. */
  append(epoch: number, requestId: string, effect: EffectWire): Entry {
    invariant(this.inTransaction, 'append outside a transaction');
    const seq = this.tip.seq + 1;
    const text = JSON.stringify(effect);
    const entry: Entry = { seq, epoch, requestId, effect: text, hash: chainHash(this.tip.hash, seq, epoch, requestId, text) };
    // Applied from its text, exactly as every backup will apply it.
    this.write(entry, parseEffect(text));
    return entry;
  }

  /**
   * Applies entries a primary shipped, which must follow `after` exactly, in
   * one durable transaction. Entries this replica already holds are skipped
   * when their hashes agree.
   */
  applyShipped(after: Position, entries: Entry[], committedSeq = 0): 'ok' | 'gap' | 'diverged' {
    const fit = fitShipment(this, after, entries);
    if (fit.kind !== 'append') return fit.kind;
    const { fresh } = fit;
    if (fresh.length === 0) {
      if (committedSeq > this.knownCommittedSeq()) this.transaction(() => this.noteCommitted(committedSeq));
      return 'ok';
    }
    this.transaction(() => {
      this.noteCommitted(committedSeq);
      for (const entry of fresh) {
        invariant(entry.seq === this.tip.seq + 1, `entry ${entry.seq} does not follow ${this.tip.seq}`);
        const hash = chainHash(this.tip.hash, entry.seq, entry.epoch, entry.requestId, entry.effect);
        invariant(hash === entry.hash, `hash of entry ${entry.seq} does not match the chain`);
        this.write(entry, parseEffect(entry.effect));
      }
    });
    return 'ok';
  }

  /**
   * The committed state as snapshot chunks, from a connection of its own in
   * one read transaction (WAL keeps that state while writes go on), so a
   * store of any size streams in bounded memory. Close the walk (return or
   * break) to end the transaction.
   */
  *snapshotChunks(pageRows = SNAPSHOT_PAGE_ROWS): Generator<SnapshotChunk> {
    invariant(this.path !== ':memory:', 'a snapshot needs a store file');
    const db = new Database(this.path, { readonly: true });
    try {
      db.pragma('busy_timeout = 5000');
      db.exec('BEGIN');
      yield* new Queries(db).chunks(pageRows);
      db.exec('COMMIT');
    } finally {
      db.close();
    }
  }

  /**
   * Replaces everything with a primary's snapshot, chunk by chunk, in one
   * durable transaction; the log starts again after it. `accept` sees the
   * snapshot's position first: a snapshot below what this replica knows is
   * committed would lose acknowledged writes (BEHIND), and is refused before
   * anything changes. Anything wrong with the stream rolls it all back.
   */
  async installSnapshotChunks(chunks: AsyncIterable<SnapshotChunk>, accept: (position: Position) => boolean): Promise<Position | 'refused'> {
    let position: Position | null = null;
    const counts = { customers: 0, orders: 0, dedupe: 0, idempotency: 0 };
    let ended = false;
    this.begin();
    try {
      for await (const chunk of chunks) {
        invariant(!ended, 'a snapshot chunk after its end');
        if (chunk.kind === 'head') {
          invariant(position === null, 'a snapshot with two heads');
          if (!accept(chunk.position)) {
            this.rollback();
            return 'refused';
          }
          position = chunk.position;
          for (const table of ['products', 'delivery_options', 'customers', 'orders', 'log', 'dedupe', 'idempotency', 'staff']) this.writer.exec(`DELETE FROM ${table}`);
          this.loadCatalog(chunk.products, chunk.deliveryOptions);
          for (const member of chunk.staff ?? []) this.addStaff(member, member.tokenHash);
          continue;
        }
        if (position === null) throw new Error('a snapshot must start with its head');
        if (chunk.kind === 'customers') for (const c of chunk.rows) this.saveCustomer(c, c.tokenHash);
        else if (chunk.kind === 'orders') for (const o of chunk.rows) this.saveOrder(o);
        else if (chunk.kind === 'dedupe') for (const d of chunk.rows) this.run('INSERT INTO dedupe (request_id, seq, result) VALUES (?, ?, ?)', d.requestId, d.seq, d.result);
        else if (chunk.kind === 'idempotency') for (const k of chunk.rows) this.remember(k.seq, k, k.result);
        else {
          if ((Object.keys(counts) as (keyof typeof counts)[]).some((table) => chunk.counts[table] !== counts[table])) {
            throw new Error(`the snapshot's end counts ${JSON.stringify(chunk.counts)} but ${JSON.stringify(counts)} arrived`);
          }
          ended = true;
          continue;
        }
        counts[chunk.kind] += chunk.rows.length;
      }
      if (position === null || !ended) throw new Error('the snapshot stream ended early');
      this.setMeta('logBase', JSON.stringify(position));
      this.commit();
    } catch (error) {
      this.rollback();
      throw error;
    }
    this.tip = position;
    return position;
  }


  /** Keeps the newest `logEntriesMax` entries and `dedupeEntriesMax` dedupe rows. */
  trim(logEntriesMax: number, dedupeEntriesMax: number): void {
    const cut = this.tip.seq - logEntriesMax;
    if (cut > 0 && this.logEntry(cut)) {
      const base: Position = { seq: cut, hash: this.hashAt(cut) ?? '' };
      this.transaction(() => {
        this.run('DELETE FROM log WHERE seq <= ?', cut);
        this.setMeta('logBase', JSON.stringify(base));
      });
    }
    const dedupeCut = this.tip.seq - dedupeEntriesMax;
    if (dedupeCut > 0) this.run('DELETE FROM dedupe WHERE seq <= ?', dedupeCut);
  }

  /** One durable transaction; on failure the in-memory head is read back from disk. */
  private transaction(work: () => void): void {
    try {
      this.writer.transaction(work).immediate();
    } catch (error) {
      this.tip = this.position();
      throw error;
    }
  }

  private write(entry: Entry, effect: Effect): void {
    this.applyEffect(effect);
    this.run('INSERT INTO log (seq, epoch, request_id, effect, hash) VALUES (?, ?, ?, ?, ?)', entry.seq, entry.epoch, entry.requestId, entry.effect, entry.hash);
    const result = JSON.stringify(resultOf(effect));
    this.run('INSERT OR REPLACE INTO dedupe (request_id, seq, result) VALUES (?, ?, ?)', entry.requestId, entry.seq, result);
    if (effect.type !== 'catalogLoaded' && effect.idempotency) this.remember(entry.seq, effect.idempotency, result);
    this.tip = { seq: entry.seq, hash: entry.hash };
  }

  /** Records what a key was first used for (kept for good, like the orders it names). */
  private remember(seq: number, keyed: KeyedRequest, result: string): void {
    this.run('INSERT INTO idempotency (seq, scope, key, request_hash, result) VALUES (?, ?, ?, ?, ?)', seq, keyed.scope, keyed.key, keyed.requestHash, result);
  }

  private applyEffect(effect: Effect): void {
    switch (effect.type) {
      case 'catalogLoaded':
        return this.loadCatalog(effect.products, effect.deliveryOptions);
      case 'customerSaved':
        return this.saveCustomer(effect.customer, effect.tokenHash);
      case 'orderPlaced':
      case 'orderCancelled':
      case 'orderMoved':
        this.saveOrder(effect.order);
        for (const level of effect.stock) this.run('UPDATE products SET stock = ? WHERE id = ?', level.stock, level.productId);
        return;
      case 'staffAdded':
        return this.addStaff(effect.staff, effect.tokenHash);
      case 'staffRemoved':
        return this.run('DELETE FROM staff WHERE id = ?', effect.staff.id);
    }
  }

  private addStaff(staff: Staff, tokenHash: string): void {
    this.run('INSERT INTO staff (id, name, role, token_hash) VALUES (?, ?, ?, ?)', staff.id, staff.name, staff.role, tokenHash);
  }

  private loadCatalog(products: Product[], options: DeliveryOption[]): void {
    products.forEach((p, i) =>
      this.run('INSERT OR REPLACE INTO products (id, position, name, description, price_minor, stock) VALUES (?, ?, ?, ?, ?, ?)', p.id, i, p.name, p.description, p.priceMinor, p.stock),
    );
    options.forEach((d, i) =>
      this.run(
        'INSERT OR REPLACE INTO delivery_options (id, position, name, description, cost_minor, fulfilment) VALUES (?, ?, ?, ?, ?, ?)',
        d.id, i, d.name, d.description, d.costMinor, fulfilmentOf(d),
      ),
    );
  }

  private saveCustomer(customer: Customer, tokenHash: string | undefined): void {
    if (tokenHash !== undefined) {
      this.run(
        'INSERT INTO customers (id, token_hash, first_name, last_name, phone, postcode, address) VALUES (?, ?, ?, ?, ?, ?, ?)',
        customer.id, tokenHash, customer.firstName, customer.lastName, customer.phone, customer.postcode, customer.address,
      );
    } else {
      this.run(
        'UPDATE customers SET first_name = ?, last_name = ?, phone = ?, postcode = ?, address = ? WHERE id = ?',
        customer.firstName, customer.lastName, customer.phone, customer.postcode, customer.address, customer.id,
      );
    }
  }

  private saveOrder(order: Order): void {
    this.run(
      'INSERT INTO orders (id, customer_id, idempotency_key, status, body) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, body = excluded.body',
      Number(order.id), order.customerId, order.idempotencyKey, order.status, JSON.stringify(order),
    );
  }
}
