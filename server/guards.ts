// Defences against hostile or careless clients: caps on what one GraphQL
// request may ask for (graphql-armor), CSRF prevention, introspection off on
// request, body and header size caps, and a per-client mutation rate limit.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { Plugin } from 'graphql-yoga';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { UserError } from '../replicas/domain/types.ts';

export const GRAPHQL_LIMITS = {
  /** Deepest selection, fragments flattened: our deepest query needs 8; `__schema` (GraphiQL's introspection) is exempt. */
  depth: 10,
  /** graphql-armor's cost: objects 2, scalars 1, times 1.5 per level, times a literal `first`; `__schema` exempt. */
  cost: 5000,
  aliases: 15,
  directives: 50,
  /** Lexer tokens in one document. */
  tokens: 2000,
  /** A request body (query plus variables). */
  bodyBytes: 64 * 1024,
  /** The Authorization header (our tokens are 46 characters). */
  authorizationChars: 512,
  /** Operations in one batched request. */
  batch: 10,
} as const;

export interface GuardOptions {
  introspection: boolean;
}

export function guardPlugins(options: GuardOptions): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: GRAPHQL_LIMITS.depth, flattenFragments: true, ignoreIntrospection: true, exposeLimits: true },
      costLimit: { maxCost: GRAPHQL_LIMITS.cost, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true },
      maxAliases: { n: GRAPHQL_LIMITS.aliases, exposeLimits: true },
      maxDirectives: { n: GRAPHQL_LIMITS.directives, exposeLimits: true },
      maxTokens: { n: GRAPHQL_LIMITS.tokens, exposeLimits: true },
    }) as Plugin,
    // A request a browser could send cross-site without a preflight must carry this header (JSON bodies do not need it).
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
  ];
  if (!options.introspection) plugins.push(useDisableIntrospection());
  return plugins;
}

/** Why an HTTP request to /graphql is refused before GraphQL sees it, or null. */
export function refuseRequest(method: string | undefined, headers: { 'content-length'?: string; authorization?: string }): { status: number; code: string; message: string } | null {
  if (method === 'POST' && headers['content-length'] === undefined) {
    return { status: 411, code: 'LENGTH_REQUIRED', message: 'Send a Content-Length header (bodies are limited in size).' };
  }
  const length = Number(headers['content-length'] ?? 0);
  if (length > GRAPHQL_LIMITS.bodyBytes) return { status: 413, code: 'REQUEST_TOO_LARGE', message: `The request body is over ${GRAPHQL_LIMITS.bodyBytes} bytes.` };
  if ((headers.authorization ?? '').length > GRAPHQL_LIMITS.authorizationChars) {
    return { status: 431, code: 'REQUEST_TOO_LARGE', message: `The Authorization header is over ${GRAPHQL_LIMITS.authorizationChars} characters.` };
  }
  return null;
}

/** Mutations per client per second; a client is a customer (by id) or, without a valid token, an address. */
export function mutationLimiter(perSecond: number): (client: string) => Promise<UserError | null> {
  if (perSecond === 0) return async () => null;
  const limiter = new RateLimiterMemory({ points: perSecond, duration: 1 });
  return async (client) => {
    try {
      await limiter.consume(client);
      return null;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      return { code: 'RATE_LIMITED', message: `Too many changes at once (more than ${perSecond} a second): try again in ${seconds} s.` };
    }
  };
}
