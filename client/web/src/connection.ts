// What the app knows about its link to the gateway, from both transports:
// HTTP (queries and mutations) and the graphql-ws socket (live feeds). The
// ConnectionBanner shows it; hooks refetch when it comes back.
import { useSyncExternalStore } from 'react';

export interface ConnectionState {
  /** False while HTTP requests fail to reach the gateway (they are being retried). */
  httpReachable: boolean;
  /** 'connecting' only before the first connection; 'lost' after one dropped. */
  socket: 'connecting' | 'connected' | 'lost';
  /** When the next HTTP retry is due (ms since epoch), while unreachable. */
  nextRetryAt: number | null;
  /** Grows by one every time the link comes back after a loss, so views can refetch what they missed. */
  recoveries: number;
}

export type ConnectionListener = () => void;

export class ConnectionStore {
  private state: ConnectionState = { httpReachable: true, socket: 'connecting', nextRetryAt: null, recoveries: 0 };
  private readonly listeners = new Set<ConnectionListener>();

  get = (): ConnectionState => this.state;

  subscribe = (listener: ConnectionListener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  httpSucceeded(): void {
    if (this.state.httpReachable) return;
    this.set({ httpReachable: true, nextRetryAt: null }, true);
  }

  httpFailed(retryInMs: number): void {
    this.set({ httpReachable: false, nextRetryAt: Date.now() + retryInMs });
  }

  socketConnected(): void {
    if (this.state.socket === 'connected') return;
    this.set({ socket: 'connected' }, this.state.socket === 'lost');
  }

  socketLost(): void {
    if (this.state.socket === 'lost') return;
    // Before the first connection there is nothing to lose: keep saying 'connecting'.
    if (this.state.socket === 'connected') this.set({ socket: 'lost' });
  }

  private set(change: Partial<ConnectionState>, recovered = false): void {
    const next = { ...this.state, ...change };
    if (recovered) next.recoveries += 1;
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

/** True when the app cannot reach the gateway right now. */
export function isOffline(state: ConnectionState): boolean {
  return !state.httpReachable || state.socket === 'lost';
}

/** The app's one link state, shared by every GraphQL client it makes (one per token: the customer's, and a member of staff's). */
export const connection = new ConnectionStore();

export function useConnection(store: ConnectionStore = connection): ConnectionState {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
