// JSON over HTTP between our own processes: one client call and the server-side
// helpers, both guarded by the cluster secret and a body limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CLUSTER_SECRET_HEADER, REQUEST_ID_HEADER } from './protocol.ts';

export const BODY_BYTES_MAX = 4 * 1024 * 1024;
/** Snapshots carry a whole replica's state. */
export const SNAPSHOT_BYTES_MAX = 1024 * 1024 * 1024;

/** A peer could not be reached, timed out, or answered something we cannot use. */
export class PeerError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'timeout' | 'bad-response',
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

export async function callPeer<T>(peerUrl: string, path: string, body: unknown, options: CallOptions<T>): Promise<T> {
  const baseUrl = PEER_ROUTES.get(peerUrl) ?? peerUrl;
  const headers: Record<string, string> = { [CLUSTER_SECRET_HEADER]: options.secret };
  if (options.requestId) headers[REQUEST_ID_HEADER] = options.requestId;
  const method = options.method ?? 'POST';
  if (method === 'POST') headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(baseUrl + path, {
      method,
      headers,
      body: method === 'POST' ? JSON.stringify(body) : undefined,
      signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    throw new PeerError(`${baseUrl}${path}: ${timedOut ? 'timed out' : describe(error)}`, timedOut ? 'timeout' : 'unreachable');
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new PeerError(`${baseUrl}${path}: body lost: ${describe(error)}`, 'unreachable');
  }
  if (!response.ok) throw new PeerError(`${baseUrl}${path}: HTTP ${response.status}: ${text.slice(0, 200)}`, 'bad-response');
  const parsed = options.response.safeParse(safeJson(text));
  if (!parsed.success) throw new PeerError(`${baseUrl}${path}: unexpected answer: ${parsed.error.message.slice(0, 300)}`, 'bad-response');
  return parsed.data;
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
