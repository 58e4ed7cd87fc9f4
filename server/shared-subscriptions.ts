// One execution per topic. Subscribers who ask for the same subscription
// (the same document, operation and variables, and for a feed whose events
// depend on who asks, the same bearer token) share one stream of results:
// each event is executed once, not once per subscriber, and the result is one
// object that every subscriber is sent. It is also serialised once (see
// `serialisedOnce`: websocket.ts splices it into graphql-ws's
// messages, and yoga's SSE writer takes it from the result's `stringify`).
// Each subscriber keeps its own bounded buffer
// (feeds.ts's Topic): a slow one is cut off as before, without holding the
// others back.
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, type FieldNode, GraphQLError, Kind, type OperationDefinitionNode, getOperationAST, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../schema/builder.ts';
import { Topic } from './feeds.ts';
import { PerKeyCap, tooManyConnections, visitFields } from './guards.ts';

/** Subscription fields whose events are the same for every customer and anyone without a token: shared by all of them subscribed with the same document. */
export const VIEWER_INDEPENDENT_FEEDS: ReadonlySet<string> = new Set(['stockChanged', 'stockLevels', 'replicaStatusChanged', 'clusterChanged']);

/** Every subscription field, for counts that name each one. */
const SUBSCRIPTION_FEEDS = ['orderStatusChanged', 'staffOrderChanged', ...VIEWER_INDEPENDENT_FEEDS];

type Subscribe = (args: ExecutionArgs) => unknown;

interface Stream {
  feed: string;
  topic: Topic<ExecutionResult>;
  /** Settles once the upstream subscription is open (null), or with the error it was answered with instead. */
  opened: Promise<ExecutionResult | null>;
}

const shared = new WeakSet<object>();
/** The arguments of each stream's own upstream subscribe call, which the plugin lets through. */
const upstreamCalls = new WeakSet<ExecutionArgs>();
const serialised = new WeakMap<object, string>();

/** Whether `result` is one shared by every subscriber of a topic. */
export function isSharedResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && shared.has(result);
}

/**
 * Marks a result as shared. yoga's SSE writer serialises a result with its
 * own `stringify` when it has one (as graphql-jit's results do): a shared
 * result's gives the one JSON every stream sends. Not enumerable, so not
 * part of that JSON.
 */
function markShared(result: ExecutionResult): void {
  shared.add(result);
  Object.defineProperty(result, 'stringify', {
    value: (sanitised: unknown) => (sanitised === result ? serialisedOnce(result) : JSON.stringify(sanitised)),
    enumerable: false,
  });
}

/** A shared result as JSON, made the first time any subscriber's transport asks. */
export function serialisedOnce(result: ExecutionResult): string {
  let json = serialised.get(result);
  if (json === undefined) {
    json = JSON.stringify(result);
    serialised.set(result, json);
  }
  return json;
}

const printed = new WeakMap<DocumentNode, string>();
const printedOnce = (document: DocumentNode): string => {
  let text = printed.get(document);
  if (text === undefined) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
};

/** The operation's root fields, through inline fragments and fragment spreads alike. */
function rootFields(document: DocumentNode, operation: OperationDefinitionNode): FieldNode[] {
  const fields: FieldNode[] = [];
  visitFields(document, operation, (field, root) => {
    if (root) fields.push(field);
  });
  return fields;
}

/** Whether a root field follows every stock change (stockChanged without atMostEveryMs). */
function everyStockChange(field: FieldNode, variables: ExecutionArgs['variableValues']): boolean {
  if (field.name.value !== 'stockChanged') return false;
  const pace = field.arguments?.find((argument) => argument.name.value === 'atMostEveryMs')?.value;
  if (!pace || pace.kind === Kind.NULL) return true;
  return pace.kind === Kind.VARIABLE && (variables?.[pace.name.value] ?? null) === null;
}

const FOLLOW_PACED = 'follow stock paced, with stockLevels(everyMs: ...) or stockChanged(atMostEveryMs: ...)';

function tooManyEveryChange(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } });
}

export class SharedSubscriptions {
  private readonly streams = new Map<string, Stream>();

  /** Subscriptions to every stock change each client has open (see `everyStockChange`), and all of them together. */
  private readonly everyChange: PerKeyCap;
  private readonly everyChangeInAll: PerKeyCap;

  /** Live connections per address, which subscriptions over HTTP count against (WebSockets are counted as sockets). */
  private readonly live: PerKeyCap | null;

  constructor(
    private readonly limits: { bufferMax: number; onCutOff?: () => void; everyStockChangePerClient?: number; everyStockChangeTotal?: number; live?: PerKeyCap },
  ) {
    this.everyChange = new PerKeyCap(limits.everyStockChangePerClient ?? 0);
    this.everyChangeInAll = new PerKeyCap(limits.everyStockChangeTotal ?? 0);
    this.live = limits.live ?? null;
  }

  /**
   * The envelop plugin that routes a subscription through a shared stream
   * (SSE, which yoga runs through envelop for each subscriber). A stream's
   * own upstream call, and a WebSocket subscriber's (shared before envelop:
   * see `subscribe`), pass through.
   */
  plugin(): Plugin<Context> {
    return {
      onSubscribe: ({ args, subscribeFn, setSubscribeFn }) => {
        if (upstreamCalls.has(args)) return;
        setSubscribeFn((inner) => this.subscribe(inner, subscribeFn as Subscribe, 'inside envelop'));
      },
    };
  }

  /** Subscribers per feed, counted per client (not per shared stream); every subscription field is listed, 0 when unfollowed. */
  subscribers(): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries(SUBSCRIPTION_FEEDS.map((feed) => [feed, 0]));
    for (const stream of this.streams.values()) counts[stream.feed] = (counts[stream.feed] ?? 0) + stream.topic.size;
    return counts;
  }

  /**
   * A subscriber of the shared stream for `args`, opening it with
   * `upstream(args)` if there is none. Called before envelop (WebSockets:
   * `upstream` is envelop's whole subscribe, run once a stream, and each
   * subscriber costs only its buffer) or inside it (the plugin).
   */
  async subscribe(args: ExecutionArgs, upstream: Subscribe, lane: 'before envelop' | 'inside envelop'): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
    const operation = getOperationAST(args.document, args.operationName);
    const fields = operation ? rootFields(args.document, operation) : [];
    const feeds = fields.length > 0 ? fields.map((field) => field.name.value) : ['?'];
    const context = args.contextValue as Context;
    // Every check comes before a stream is looked up or opened: a refusal leaves nothing behind.
    const releases: (() => void)[] = [];
    const refuse = (error: GraphQLError) => {
      for (const release of releases) release();
      return { errors: [error] };
    };
    // A subscription over HTTP (SSE, whatever its Accept header said) is a live connection of its own, like a WebSocket.
    if (lane === 'inside envelop' && this.live) {
      const release = this.live.acquire(context.address);
      if (!release) return refuse(new GraphQLError(tooManyConnections(this.live.max), { extensions: { code: 'TOO_MANY_CONNECTIONS', http: { status: 429 } } }));
      releases.push(release);
    }
    // Every stock change, to many subscribers, is the costly feed (README: "Subscribers"): a client may follow it
    // only so many times at once, and the gateway for only so many subscribers in all; a menu follows stock paced.
    if (fields.some((field) => everyStockChange(field, args.variableValues))) {
      const release = this.everyChange.acquire(context.client);
      if (!release) return refuse(tooManyEveryChange(`Too many subscriptions to every stock change from you (at most ${this.everyChange.max} at once): ${FOLLOW_PACED}, or complete one first.`));
      releases.push(release);
      const inAll = this.everyChangeInAll.acquire('');
      if (!inAll) return refuse(tooManyEveryChange(`This gateway sends every stock change to at most ${this.everyChangeInAll.max} subscribers at once, and has that many: ${FOLLOW_PACED}, or try again later.`));
      releases.push(inAll);
    }
    // The feeds everyone sees alike are shared by everyone but staff: what a member of staff may see of them (an operator,
    // the cluster's internals) is theirs alone, so neither leaks to others through a stream staff opened, nor the other way.
    const scope = feeds.every((feed) => VIEWER_INDEPENDENT_FEEDS.has(feed)) && context.viewerKind !== 'staff' ? 'anyone' : context.viewerKey;
    // Streams opened before envelop carry results it has already processed, those inside it not yet: never mixed.
    const key = JSON.stringify([lane, scope, args.operationName ?? null, args.variableValues ?? null, printedOnce(args.document)]);
    let stream = this.streams.get(key);
    if (!stream) {
      stream = this.open(key, feeds.join(','), args, upstream);
      this.streams.set(key, stream);
    }
    const subscriber = stream.topic.subscribe(() => {
      for (const release of releases) release();
    });
    let refused: ExecutionResult | null;
    try {
      refused = await stream.opened;
    } catch (error) {
      subscriber.close();
      throw error;
    }
    if (refused) {
      subscriber.close();
      return refused;
    }
    return subscriber;
  }

  private open(key: string, feed: string, args: ExecutionArgs, upstream: Subscribe): Stream {
    let iterator: AsyncIterator<ExecutionResult> | null = null;
    let stopped = false;
    const topic = new Topic<ExecutionResult>(this.limits, () => {
      // The last subscriber left: the upstream subscription ends with it.
      stopped = true;
      if (this.streams.get(key) === stream) this.streams.delete(key);
      void iterator?.return?.();
    });
    const stream: Stream = {
      feed,
      topic,
      opened: Promise.resolve()
        .then(() => {
          upstreamCalls.add(args);
          return upstream(args) as Promise<AsyncIterable<ExecutionResult> | ExecutionResult>;
        })
        .then((result) => {
          if (!(Symbol.asyncIterator in result)) {
            // An error instead of a stream (not signed in, say): answered to whoever asked, and not kept.
            if (this.streams.get(key) === stream) this.streams.delete(key);
            return result;
          }
          iterator = result[Symbol.asyncIterator]();
          if (stopped) void iterator.return?.();
          else void this.pump(iterator, stream, key);
          return null;
        })
        .catch((error: unknown) => {
          // The upstream call threw: not kept, and every subscriber waiting on it is told.
          if (this.streams.get(key) === stream) this.streams.delete(key);
          throw error;
        }),
    };
    return stream;
  }

  private async pump(iterator: AsyncIterator<ExecutionResult>, stream: Stream, key: string): Promise<void> {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        markShared(next.value);
        stream.topic.publish(next.value);
      }
      stream.topic.close();
    } catch (error) {
      stream.topic.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      if (this.streams.get(key) === stream) this.streams.delete(key);
    }
  }
}
