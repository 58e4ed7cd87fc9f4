// The terminal client's connection to the gateway: urql over plain fetch (no
// cache: every screen shows the state as it is now), the customer's token as
// a bearer header, and the original client's patience: when the gateway
// cannot be reached, try again every few seconds a few times, then give up.
import { type AnyVariables, Client, type OperationResult, type TypedDocumentNode, fetchExchange } from '@urql/core';

/** Statuses a proxy in front of the gateway answers while it is down: worth retrying. */
const RETRY_STATUSES = new Set([502, 503, 504]);

export interface RetryNotice {
  url: string;
  reason: string;
  /** 1 for the first retry. */
  retry: number;
  retries: number;
  waitMs: number;
}

/** Nothing answered at the gateway's address, even after every retry. */
export class GatewayUnreachable extends Error {
  constructor(readonly url: string, retries: number, reason: string) {
    super(`Cannot reach the gateway at ${url} (${reason}), even after ${retries} retries. Is it running? Start it with "npm start", or point --url at it.`);
  }
}

/** The gateway answered, but with an error rather than data (a bug, or a limit hit): worth showing, not worth retrying. */
export class GatewayError extends Error {}

export interface ApiOptions {
  url: string;
  retries: number;
  retryIntervalMs: number;
  /** The current customer's token, if any; read for every request. */
  token: () => string | null;
  onRetry: (notice: RetryNotice) => void;
}

export interface Api {
  query<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data>;
  mutation<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data>;
}

export function createApi(options: ApiOptions): Api {
  const client = new Client({
    url: options.url,
    exchanges: [fetchExchange],
    fetch: retryingFetch(options),
    // Always POST: the gateway's CSRF prevention refuses a GET without a special header.
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => {
      const token = options.token();
      return token ? { headers: { authorization: `Bearer ${token}` } } : {};
    },
  });
  return {
    query: async (document, variables) => dataOf(await client.query(document, variables).toPromise()),
    mutation: async (document, variables) => dataOf(await client.mutation(document, variables).toPromise()),
  };
}

function dataOf<Data, Variables extends AnyVariables>(result: OperationResult<Data, Variables>): Data {
  const error = result.error;
  if (error?.networkError instanceof GatewayUnreachable) throw error.networkError;
  if (error?.graphQLErrors.length) throw new GatewayError(`The gateway refused the request: ${error.graphQLErrors.map((e) => e.message).join('; ')}`);
  if (error) throw new GatewayError(`The gateway answered with an error: ${error.networkError?.message ?? error.message}`);
  if (!result.data) throw new GatewayError('The gateway answered without data.');
  return result.data;
}

/**
 * A fetch that tries again, every `retryIntervalMs` and at most `retries`
 * times, while nothing answers (or a proxy says the gateway is down). Retrying
 * a mutation is safe: placeOrder carries an idempotency key, and a request
 * that never reached the gateway changed nothing. (One that reached it and
 * lost only its answer could, sent again, leave an unused second customer
 * record, or be told the order is already cancelled: nothing is lost.)
 */
export function retryingFetch(options: Pick<ApiOptions, 'url' | 'retries' | 'retryIntervalMs' | 'onRetry'>, baseFetch: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
  return async (input, init) => {
    for (let retry = 1; ; retry++) {
      let reason: string;
      try {
        const response = await baseFetch(input, init);
        if (!RETRY_STATUSES.has(response.status)) return response;
        reason = `HTTP ${response.status}`;
      } catch (error) {
        // fetch rejects with a TypeError when nothing answers; anything else (an abort) is not ours to retry.
        if (!(error instanceof TypeError)) throw error;
        reason = networkReason(error);
      }
      if (retry > options.retries) throw new GatewayUnreachable(options.url, options.retries, reason);
      options.onRetry({ url: options.url, reason, retry, retries: options.retries, waitMs: options.retryIntervalMs });
      await new Promise((resolve) => setTimeout(resolve, options.retryIntervalMs));
    }
  };
}

/** 'ECONNREFUSED' rather than node's bare 'fetch failed'. */
function networkReason(error: TypeError): string {
  const cause: unknown = error.cause;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return cause instanceof Error ? cause.message : error.message;
}
