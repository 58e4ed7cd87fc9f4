// JSON over HTTP between our own processes: one client call and the server-side
// helpers, both guarded by the cluster secret and a body limit.
import { Agent, type IncomingMessage, type ServerResponse, request as httpRequest } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { CLUSTER_SECRET_HEADER, REQUEST_ID_HEADER } from './protocol.ts';

export const BODY_BYTES_MAX = 4 * 1024 * 1024;
/**
 * Most bytes of effect text in one shipment (a round, or entries sent to a
 * replica behind): each effect is a JSON string inside the JSON body, and
 * escaping can double it, so a quarter of the body limit always fits.
 */
export const SHIP_BYTES_MAX = BODY_BYTES_MAX / 4;
if (SHIP_BYTES_MAX * 2 + 64 * 1024 > BODY_BYTES_MAX) throw new Error('SHIP_BYTES_MAX must fit the peer body limit twice over');
/** How long a backup may take to pull and install a snapshot (a store of a million orders takes a minute or two). */
export const SNAPSHOT_INSTALL_MS_MAX = 10 * 60 * 1000;

/** A peer could not be reached, timed out, or answered something we cannot use. */
export class PeerError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'timeout' | 'bad-response',
    /** The HTTP status of a bad response (a 4xx: the peer refused the request itself), else null. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export interface CallOptions<T> {
  secret: string;
  timeoutMs: number;
  response: z.ZodType<T>;
  requestId?: string;
  method?: 'GET' | 'POST';
  /** Aborts the call early (it then fails as unreachable). */
  signal?: AbortSignal;
}

/**
 * Fault injection: `JH_PEER_ROUTES` maps a peer's base URL to another one (a
 * fault-injecting proxy in front of it), so that the chaos harness can cut or
 * slow the link from this process to that peer alone. Unset in normal use.
 */
const PEER_ROUTES = parsePeerRoutes(process.env.JH_PEER_ROUTES);

function parsePeerRoutes(text: string | undefined): Map<string, string> {
  if (!text) return new Map();
  const parsed = z.record(z.string().url(), z.string().url()).safeParse(safeJson(text));
  if (!parsed.success) throw new Error('JH_PEER_ROUTES must be a JSON object from base URL to base URL');
  return new Map(Object.entries(parsed.data));
}

/**
 * One keep-alive connection pool per process for every call to a peer: a
 * replication round or a routed request then costs one write and one read on
 * an open socket, not a handshake (and node:http does far less per call than
 * fetch, which this hot path felt).
 */
const PEER_AGENT = new Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 64, scheduling: 'lifo' });

interface RawAnswer {
  status: number;
  text: string;
}

export async function callPeer<T>(peerUrl: string, path: string, body: unknown, options: CallOptions<T>): Promise<T> {
  const baseUrl = PEER_ROUTES.get(peerUrl) ?? peerUrl;
  const headers: Record<string, string | number> = { [CLUSTER_SECRET_HEADER]: options.secret };
  if (options.requestId) headers[REQUEST_ID_HEADER] = options.requestId;
  const method = options.method ?? 'POST';
  const payload = method === 'POST' ? JSON.stringify(body) : undefined;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  let answer: RawAnswer;
  try {
    answer = await send(new URL(baseUrl + path), method, headers, payload, options);
  } catch (error) {
    if (error instanceof PeerError) throw error;
    throw new PeerError(`${baseUrl}${path}: ${describe(error)}`, 'unreachable');
  }
  if (answer.status < 200 || answer.status > 299) throw new PeerError(`${baseUrl}${path}: HTTP ${answer.status}: ${answer.text.slice(0, 200)}`, 'bad-response', answer.status);
  const parsed = options.response.safeParse(safeJson(answer.text));
  if (!parsed.success) throw new PeerError(`${baseUrl}${path}: unexpected answer: ${parsed.error.message.slice(0, 300)}`, 'bad-response', answer.status);
  return parsed.data;
}

/**
 * One HTTP exchange with a deadline. A kept-alive socket the peer closed
 * while it sat idle fails before any answer; that call never reached the peer,
 * so it is sent once more on a fresh socket (what Node's docs advise).
 */
function send(url: URL, method: string, headers: Record<string, string | number>, payload: string | undefined, options: CallOptions<unknown>, retried = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, answer?: RawAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (answer) resolve(answer);
      else reject(error);
    };
    const req = httpRequest(url, { method, headers, agent: PEER_AGENT, signal: options.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => finish(new PeerError(`${url.origin}${url.pathname}: answer lost: ${describe(error)}`, 'unreachable')));
      res.on('aborted', () => finish(new PeerError(`${url.origin}${url.pathname}: answer lost`, 'unreachable')));
    });
    const timer = setTimeout(() => {
      finish(new PeerError(`${url.origin}${url.pathname}: timed out`, 'timeout'));
      req.destroy();
    }, options.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!settled && !retried && req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
        settled = true;
        clearTimeout(timer);
        send(url, method, headers, payload, options, true).then(resolve, reject);
        return;
      }
      finish(new PeerError(`${url.origin}${url.pathname}: ${describe(error)}`, 'unreachable'));
    });
    req.end(payload);
  });
}

export interface StreamOptions<T> {
  secret: string;
  /** The longest silence (no bytes either way) before the call fails as timed out. */
  idleTimeoutMs: number;
  /** Each line of the answer is one of these. */
  line: z.ZodType<T>;
}

/**
 * A call whose answer is lines of JSON, yielded one by one as they arrive, so
 * an answer of any size passes in bounded memory (snapshots). An answer cut
 * short fails as unreachable; the caller must also check it ended where it
 * should (the snapshot's own end line).
 */
export async function* streamPeer<T>(peerUrl: string, path: string, body: unknown, options: StreamOptions<T>): AsyncGenerator<T> {
  const baseUrl = PEER_ROUTES.get(peerUrl) ?? peerUrl;
  const payload = JSON.stringify(body);
  const where = `${baseUrl}${path}`;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(new URL(where), {
      method: 'POST',
      agent: PEER_AGENT,
      headers: { [CLUSTER_SECRET_HEADER]: options.secret, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, resolve);
    req.setTimeout(options.idleTimeoutMs, () => req.destroy(new PeerError(`${where}: timed out`, 'timeout')));
    req.on('error', (error) => reject(error instanceof PeerError ? error : new PeerError(`${where}: ${describe(error)}`, 'unreachable')));
    req.end(payload);
  });
  if (res.statusCode !== 200) {
    res.resume();
    throw new PeerError(`${where}: HTTP ${res.statusCode ?? 0}`, 'bad-response', res.statusCode ?? null);
  }
  let broken: Error | null = null;
  res.on('error', (error) => (broken = error));
  res.on('aborted', () => (broken = new Error('answer lost')));
  const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const text of lines) {
      if (text.length === 0) continue;
      const parsed = options.line.safeParse(safeJson(text));
      if (!parsed.success) throw new PeerError(`${where}: unexpected line: ${parsed.error.message.slice(0, 300)}`, 'bad-response');
      yield parsed.data;
    }
  } finally {
    lines.close();
    res.destroy();
  }
  if (broken !== null || !res.complete) throw new PeerError(`${where}: answer lost${broken ? ` (${describe(broken)})` : ''}`, 'unreachable');
}

/**
 * Answers with lines of JSON, one per item, waiting whenever the socket is
 * full; a caller that stops reading for `idleMs`, or has not taken it all
 * within `totalMs`, is cut off (the items' source, a read transaction, must
 * not stay open for a stalled reader).
 */
export async function sendLines(res: ServerResponse, items: Iterable<unknown>, limits: { idleMs: number; totalMs: number }): Promise<void> {
  const deadline = Date.now() + limits.totalMs;
  res.setTimeout(limits.idleMs, () => res.destroy());
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const item of items) {
    if (res.destroyed || Date.now() > deadline) {
      res.destroy();
      return;
    }
    if (!res.write(`${JSON.stringify(item)}\n`)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  res.end();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

// ---- server side ------------------------------------------------------------------

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function secretMatches(req: IncomingMessage, secret: string): boolean {
  const given = req.headers[CLUSTER_SECRET_HEADER];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function readBody(req: IncomingMessage, bytesMax: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > bytesMax) throw new HttpError(413, `body over ${bytesMax} bytes`);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    bytes += buffer.length;
    if (bytes > bytesMax) throw new HttpError(413, `body over ${bytesMax} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>, bytesMax = BODY_BYTES_MAX): Promise<T> {
  const text = await readBody(req, bytesMax);
  const parsed = schema.safeParse(safeJson(text));
  if (!parsed.success) throw new HttpError(400, `bad request: ${parsed.error.message.slice(0, 500)}`);
  return parsed.data;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Runs a handler, turning HttpErrors into their status and anything else into a 500 without a stack. */
export function guarded(handler: Handler, onError: (error: unknown) => void): Handler {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
      } else if (error instanceof HttpError) {
        sendJson(res, error.status, { error: error.message });
      } else {
        onError(error);
        sendJson(res, 500, { error: 'internal error' });
      }
    }
  };
}
