// Drives a real `just-hungry` process inside a pseudo-terminal, expect-style:
// wait for text on the screen (colours and cursor moves stripped), then type.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { type IPty, spawn } from '@lydell/node-pty';

const BIN = fileURLToPath(new URL('../../bin/just-hungry.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', ctrlC: '\x03', ctrlU: '\x15' } as const;

export interface Exit {
  exitCode: number;
  signal: number | undefined;
}

export class Terminal {
  private raw = '';
  /** Where the next `expect` starts looking, in the stripped screen text. */
  private mark = 0;
  readonly exited: Promise<Exit>;

  private constructor(private readonly pty: IPty) {
    pty.onData((data) => (this.raw += data));
    this.exited = new Promise((resolve) => pty.onExit(({ exitCode, signal }) => resolve({ exitCode, signal })));
  }

  /** Starts `just-hungry ARGS` in a 120×40 terminal. */
  static start(args: string[], env: Record<string, string>): Terminal {
    const base = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const pty = spawn(process.execPath, [BIN, ...args], { name: 'xterm-256color', cols: 120, rows: 40, cwd: ROOT, env: { ...base, ...env } });
    return new Terminal(pty);
  }

  /** Everything shown so far, as text. */
  text(): string {
    // Carriage returns and cursor moves only redraw; what matters is the text that went by.
    return stripVTControlCharacters(this.raw).replace(/\r/g, '');
  }

  /** Waits until `pattern` appears after the previous match, and moves past it. */
  async expect(pattern: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.text();
      const rest = text.slice(this.mark);
      const found = typeof pattern === 'string' ? indexOfString(rest, pattern) : indexOfRegExp(rest, pattern);
      if (found) {
        this.mark += found.end;
        return found.match;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${String(pattern)} on the terminal; it showed after the last match:\n${rest.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  write(keys: string): void {
    this.pty.write(keys);
  }

  /** Types an answer and presses Enter. */
  answer(text: string): void {
    this.write(`${text}${KEY.enter}`);
  }

  /**
   * Picks an item of a select prompt by typing the start of its name, waiting
   * until the prompt's latest drawing highlights it, then pressing Enter.
   */
  async choose(label: string, timeoutMs = 15_000): Promise<void> {
    this.write(label);
    const highlighted = new RegExp(`^❯ (\\d+\\. )?${escapeRegExp(label)}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.text();
      const cursor = text.lastIndexOf('❯');
      if (cursor >= this.mark && highlighted.test(text.slice(cursor))) break;
      if (Date.now() > deadline) throw new Error(`timed out waiting for "${label}" to be highlighted; the terminal showed:\n${text.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    this.mark = this.text().length;
    this.write(KEY.enter);
  }

  kill(): void {
    try {
      this.pty.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

function indexOfString(text: string, needle: string): { match: string; end: number } | null {
  const at = text.indexOf(needle);
  return at === -1 ? null : { match: needle, end: at + needle.length };
}

function indexOfRegExp(text: string, pattern: RegExp): { match: string; end: number } | null {
  const found = new RegExp(pattern.source, pattern.flags.replace('g', '')).exec(text);
  return found ? { match: found[0], end: found.index + found[0].length } : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs `just-hungry ARGS` without a terminal (as a script would) and collects its output. */
export function runJustHungry(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
