// The load generator: autocannon's keep-alive sockets (cheap per request, which
// matters when it shares 2 cores with the service), with a fresh body and
// bearer token per request, and our own timing of every request (sub-ms,
// warm-up excluded) and check of every answer: a GraphQL error or a payload
// `errors` entry counts as an error, not as a success.
import autocannon from 'autocannon';

export interface LoadRequest {
  body: string;
  /** A customer's bearer token, if the operation needs one. */
  token?: string;
}

export interface LoadOptions {
  /** Where to POST: the GraphQL endpoint (http://127.0.0.1:PORT/graphql) or another JSON endpoint. */
  url: string;
  /** Headers sent with every request, besides content-type and the bearer token. */
  headers?: Record<string, string>;
  /** Whether an answer is a success; by default a GraphQL answer with no errors at all. */
  succeeded?: (status: number, body: string) => boolean;
  connections: number;
  /** Run this long (after the warm-up), or until `amount` requests have answered. */
  durationMs?: number;
  amount?: number;
  /** Requests answered in this first stretch are not counted. */
  warmupMs?: number;
  next: () => LoadRequest;
  /** Sees every answered request (failover timelines). */
  onSample?: (sample: Sample) => void;
}

export interface Sample {
  sentAt: number;
  doneAt: number;
  ok: boolean;
}

export interface LoadStats {
  connections: number;
  /** Requests answered in the measured window. */
  requests: number;
  /** Answers that were not a success, plus socket errors and timeouts. */
  errors: number;
  /** Successful requests per second in the measured window. */
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  seconds: number;
  /** CPU the load generator itself used (percent of one core, warm-up included): it shares the machine. */
  generatorCpuPercent: number;
  /** The first error seen, for the report. */
  firstError?: string;
}

export interface RunningLoad {
  stop(): void;
  readonly done: Promise<LoadStats>;
}

/** Per-request timeout: longer than the gateway's failover deadline, so the gateway decides, not the load generator. */
const REQUEST_TIMEOUT_S = 30;
/** How often autocannon looks at its stop flag. */
const SAMPLE_INTERVAL_MS = 50;
const ERROR_TEXT_CHARS_MAX = 300;

export function startLoad(options: LoadOptions): RunningLoad {
  const sentAt = new WeakMap<object, number>();
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const succeeded = options.succeeded ?? ((status: number, body: string) => status === 200 && graphqlSucceeded(body));
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const windowStart = started + (options.warmupMs ?? 0);
  let windowEnd = Number.POSITIVE_INFINITY;

  const noteError = (text: string) => {
    errors++;
    firstError ??= text.slice(0, ERROR_TEXT_CHARS_MAX);
  };

  let resolveDone: (stats: LoadStats) => void = () => undefined;
  let rejectDone: (error: unknown) => void = () => undefined;
  const done = new Promise<LoadStats>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      // autocannon's own clock is not used: we stop it (or it stops at `amount`).
      duration: 24 * 3600,
      amount: options.amount,
      timeout: REQUEST_TIMEOUT_S,
      sampleInt: SAMPLE_INTERVAL_MS,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      requests: [
        {
          setupRequest: (request, context) => {
            const { body, token } = options.next();
            sentAt.set(context, performance.now());
            return { ...request, body, headers: { ...request.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } };
          },
          onResponse: (status, body, context) => {
            const now = performance.now();
            const sent = sentAt.get(context) ?? now;
            const ok = succeeded(status, body);
            options.onSample?.({ sentAt: sent, doneAt: now, ok });
            if (now < windowStart || now > windowEnd) return;
            if (ok) latencies.push(now - sent);
            else noteError(`HTTP ${status}: ${body}`);
          },
        },
      ],
    },
    (error: Error | null) => {
      if (error) return rejectDone(error);
      const end = Math.min(windowEnd, performance.now());
      const cpu = process.cpuUsage(cpuAtStart);
      const generatorCpuPercent = (100 * (cpu.user + cpu.system)) / 1000 / Math.max(1, performance.now() - started);
      resolveDone({ ...summarise(options.connections, latencies, errors, (end - windowStart) / 1000, firstError), generatorCpuPercent });
    },
  );
  instance.on('reqError', (error: unknown) => {
    if (performance.now() >= windowStart) noteError(`request failed: ${String(error)}`);
  });

  const stop = () => {
    if (windowEnd === Number.POSITIVE_INFINITY) windowEnd = performance.now();
    instance.stop();
  };
  if (options.durationMs !== undefined) {
    const timer = setTimeout(stop, (options.warmupMs ?? 0) + options.durationMs);
    void done.finally(() => clearTimeout(timer));
  }
  return { stop, done };
}

export function runLoad(options: LoadOptions): Promise<LoadStats> {
  return startLoad(options).done;
}

function summarise(connections: number, latencies: number[], errors: number, seconds: number, firstError: string | undefined): Omit<LoadStats, 'generatorCpuPercent'> {
  const sorted = Float64Array.from(latencies).sort();
  return {
    connections,
    requests: sorted.length + errors,
    errors,
    opsPerSec: seconds > 0 ? sorted.length / seconds : 0,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] ?? 0) : 0,
    seconds,
    ...(firstError ? { firstError } : {}),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/**
 * A GraphQL answer is a success when it has data, no `errors`, and no
 * payload of a root field has a non-empty `errors` list (errors as data).
 */
export function graphqlSucceeded(body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (!isRecord(parsed) || 'errors' in parsed || !isRecord(parsed.data)) return false;
  for (const value of Object.values(parsed.data)) {
    if (value === null) return false;
    if (isRecord(value) && Array.isArray(value.errors) && value.errors.length > 0) return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
