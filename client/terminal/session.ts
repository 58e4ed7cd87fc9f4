// One run of the terminal client: the connection to the gateway and who the
// customer is (their token, remembered between runs).
import type { Api } from './api.js';
import type { CredentialStore } from './credentials.js';

export class Session {
  token: string | null;
  readonly api: Api;

  constructor(
    readonly url: string,
    private readonly store: CredentialStore,
    connect: (token: () => string | null) => Api,
  ) {
    this.token = store.token(url);
    this.api = connect(() => this.token);
  }

  /** Keeps a new customer's token, for this run and the next ones. */
  remember(token: string): void {
    this.token = token;
    this.store.save(this.url, token);
  }

  /** Drops a token the gateway no longer knows (a fresh cluster, say). */
  forget(): void {
    this.token = null;
    this.store.forget(this.url);
  }
}
