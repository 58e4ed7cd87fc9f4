// A fault-injecting TCP proxy for one directed link (process A calling
// process B): A reaches B through it because A was started with
// JH_PEER_ROUTES pointing B's URL here. The link can pass bytes, drop
// connections (refused and reset), swallow them (a black hole: calls hang
// until they time out) or delay every chunk, in order. Answers to A's calls
// travel back on A's connection, so a link cuts A's calls to B and their
// replies, but not B's calls to A (that is the link B -> A).
import { type Server, type Socket, connect, createServer } from 'node:net';

export type LinkMode = { kind: 'pass' } | { kind: 'drop' } | { kind: 'blackhole' } | { kind: 'delay'; ms: number };

export const PASS: LinkMode = { kind: 'pass' };

/** What a tap sees: a request line going to B, or B's answer to it coming back. */
export interface TapEvent {
  direction: 'request' | 'response';
  /** The path of the HTTP request on this connection (e.g. `/replicate`). */
  path: string | null;
}

/**
 * Decides on one chunk: `ignore` (not the one: keep watching), `pass` (done;
 * send it on) or `swallow` (done; drop it and reset the connection).
 */
export type Tap = (event: TapEvent) => 'ignore' | 'pass' | 'swallow';

/** Most chunks one direction may hold while delayed, so a slow link cannot hold unbounded memory. */
const DELAYED_CHUNKS_MAX = 10_000;

interface Pipe {
  client: Socket;
  upstream: Socket | null;
  path: string | null;
  /** Bytes were thrown away: the HTTP stream is broken and must not carry on once healed. */
  tainted: boolean;
  /** When the last delayed chunk of each direction is due, so chunks keep their order. */
  due: { request: number; response: number };
  queued: { request: number; response: number };
}

export class LinkProxy {
  private server: Server | null = null;
  private mode: LinkMode = PASS;
  private readonly pipes = new Set<Pipe>();
  private taps: Tap[] = [];
  port = 0;

  constructor(
    readonly from: string,
    readonly to: string,
    private readonly targetPort: number,
  ) {}

  get label(): string {
    return `${this.from}->${this.to}`;
  }

  get current(): LinkMode {
    return this.mode;
  }

  async listen(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
    return this.port;
  }

  set(mode: LinkMode): void {
    const previous = this.mode;
    this.mode = mode;
    if (mode.kind === 'drop') {
      for (const pipe of this.pipes) this.destroy(pipe);
    } else if (previous.kind === 'blackhole' && mode.kind !== 'blackhole') {
      // Connections that lost bytes cannot carry HTTP any more: reset them, as a real timeout would.
      for (const pipe of this.pipes) if (pipe.tainted) this.destroy(pipe);
    }
  }

  /** Watches the link until the tap decides on a chunk or is removed. */
  tap(tap: Tap): () => void {
    this.taps.push(tap);
    return () => {
      this.taps = this.taps.filter((t) => t !== tap);
    };
  }

  async close(): Promise<void> {
    for (const pipe of this.pipes) this.destroy(pipe);
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode.kind === 'drop') {
      client.resetAndDestroy();
      return;
    }
    const pipe: Pipe = { client, upstream: null, path: null, tainted: false, due: { request: 0, response: 0 }, queued: { request: 0, response: 0 } };
    this.pipes.add(pipe);
    client.setNoDelay(true);
    client.on('error', () => this.destroy(pipe));
    client.on('close', () => this.destroy(pipe));
    client.on('data', (chunk: Buffer) => this.carry(pipe, 'request', chunk));
    const upstream = connect(this.targetPort, '127.0.0.1');
    upstream.setNoDelay(true);
    pipe.upstream = upstream;
    upstream.on('error', () => this.destroy(pipe));
    upstream.on('close', () => this.destroy(pipe));
    upstream.on('data', (chunk: Buffer) => this.carry(pipe, 'response', chunk));
  }

  private carry(pipe: Pipe, direction: 'request' | 'response', chunk: Buffer): void {
    if (direction === 'request') {
      const line = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r\n/.exec(chunk.subarray(0, 256).toString('latin1'));
      if (line) pipe.path = line[1] ?? null;
    }
    if (this.taps.length > 0) {
      const event: TapEvent = { direction, path: pipe.path };
      for (const tap of [...this.taps]) {
        const decision = tap(event);
        if (decision === 'ignore') continue;
        this.taps = this.taps.filter((t) => t !== tap);
        if (decision === 'swallow') {
          pipe.tainted = true;
          this.destroy(pipe);
          return;
        }
      }
    }
    const mode = this.mode;
    if (mode.kind === 'drop') return this.destroy(pipe);
    if (mode.kind === 'blackhole') {
      pipe.tainted = true;
      return;
    }
    const target = direction === 'request' ? pipe.upstream : pipe.client;
    const delayMs = mode.kind === 'delay' ? mode.ms : 0;
    const now = Date.now();
    const due = Math.max(now + delayMs, pipe.due[direction]);
    if (due <= now && pipe.queued[direction] === 0) {
      target?.write(chunk);
      return;
    }
    if (pipe.queued[direction] >= DELAYED_CHUNKS_MAX) return this.destroy(pipe);
    pipe.due[direction] = due;
    pipe.queued[direction]++;
    setTimeout(() => {
      pipe.queued[direction]--;
      if (!target?.destroyed) target?.write(chunk);
    }, due - now);
  }

  private destroy(pipe: Pipe): void {
    if (!this.pipes.delete(pipe)) return;
    pipe.client.destroy();
    pipe.upstream?.destroy();
  }
}

/** Every directed link between the cluster's processes, each behind its own proxy. */
export class Network {
  private readonly links = new Map<string, LinkProxy>();

  /** `ports`: each process's own port, by name. */
  static async start(ports: Map<string, number>): Promise<Network> {
    const network = new Network();
    for (const [from] of ports) {
      for (const [to, port] of ports) {
        if (from === to) continue;
        const link = new LinkProxy(from, to, port);
        await link.listen();
        network.links.set(`${from}->${to}`, link);
      }
    }
    return network;
  }

  link(from: string, to: string): LinkProxy {
    const link = this.links.get(`${from}->${to}`);
    if (!link) throw new Error(`no link ${from}->${to}`);
    return link;
  }

  /** JH_PEER_ROUTES for process `from`: every peer's URL mapped to the proxy of the link to it. */
  routesFrom(from: string, urlOf: (name: string) => string): string {
    const routes: Record<string, string> = {};
    for (const link of this.links.values()) {
      if (link.from === from) routes[urlOf(link.to)] = `http://127.0.0.1:${link.port}`;
    }
    return JSON.stringify(routes);
  }

  all(): LinkProxy[] {
    return [...this.links.values()];
  }

  healAll(): void {
    for (const link of this.links.values()) link.set(PASS);
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((link) => link.close()));
  }
}
