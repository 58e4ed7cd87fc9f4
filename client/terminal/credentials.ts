// The customer's token, kept between runs so that the next run recognises
// them: one token per gateway URL in CONFIG_DIR/credentials.json. The token is
// a password in all but name, so the file is mode 0600 in a 0700 directory.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const CredentialsFile = z.object({ tokens: z.record(z.string(), z.string().min(1).max(512)) });
type Tokens = Record<string, string>;

export class CredentialStore {
  readonly file: string;

  constructor(readonly dir: string, private readonly warn: (message: string) => void) {
    this.file = join(dir, 'credentials.json');
  }

  token(url: string): string | null {
    return this.read()[url] ?? null;
  }

  save(url: string, token: string): void {
    this.write({ ...this.read(), [url]: token });
  }

  /** Drops the token for `url`; true when there was one. */
  forget(url: string): boolean {
    const tokens = this.read();
    if (!(url in tokens)) return false;
    delete tokens[url];
    if (Object.keys(tokens).length === 0) rmSync(this.file, { force: true });
    else this.write(tokens);
    return true;
  }

  private read(): Tokens {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return {};
      throw new Error(`cannot read ${this.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const parsed = CredentialsFile.safeParse(parseJson(text));
    if (parsed.success) return parsed.data.tokens;
    // A damaged file only costs the customer their saved identity: say so, start afresh.
    this.warn(`Ignoring ${this.file}: it is not a credentials file (it will be replaced when you save your details).`);
    return {};
  }

  private write(tokens: Tokens): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ tokens }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600); // in case the file was left behind by an earlier run with another mode
    renameSync(temporary, this.file);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
