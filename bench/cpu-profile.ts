// Reads a V8 .cpuprofile (what `node --cpu-prof` writes) and summarises where
// the CPU went in a time window: self time per function and per area
// (package, Node internals, our own files), and inclusive time of our own
// functions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

const CpuProfile = z.object({
  nodes: z.array(z.object({
    id: z.number(),
    callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    children: z.array(z.number()).optional(),
  })),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface Row {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  /** CPU time sampled in the window (busy and idle). */
  windowMs: number;
  /** Share of the window the process was not idle. */
  busyPercent: number;
  /** Whether the window could be placed on the profile's clock (else the whole profile is summarised). */
  windowed: boolean;
  topSelf: Row[];
  byArea: Row[];
  /** Our own functions (server/, replicas/, schema/) by time including what they call. */
  topInclusiveOwn: Row[];
}

/** Summarises `file` between `fromUs` and `toUs` (the profile's clock: CLOCK_MONOTONIC in µs, as process.hrtime). */
export function summariseProfile(file: string, fromUs: number, toUs: number, top = 25): ProfileSummary {
  const profile = CpuProfile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const windowed = fromUs >= profile.startTime && toUs <= profile.endTime;
  const self = new Map<string, number>();
  const area = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    const weightUs = profile.timeDeltas[i + 1] ?? 0;
    if (windowed && (at < fromUs || at > toUs)) continue;
    const node = byId.get(profile.samples[i] ?? -1);
    if (!node) continue;
    total += weightUs;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idle += weightUs;
      continue;
    }
    add(self, label(frame), weightUs);
    add(area, areaOf(frame), weightUs);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)?.callFrame;
      if (!f || !isOwn(f.url)) continue;
      const key = label(f);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, weightUs);
      }
    }
  }
  const rows = (map: Map<string, number>, n: number): Row[] =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: us / 1000, percent: total > 0 ? (100 * us) / total : 0 }));
  return {
    windowMs: total / 1000,
    busyPercent: total > 0 ? (100 * (total - idle)) / total : 0,
    windowed,
    topSelf: rows(self, top),
    byArea: rows(area, top),
    topInclusiveOwn: rows(inclusive, top),
  };
}

function add(map: Map<string, number>, key: string, us: number) {
  map.set(key, (map.get(key) ?? 0) + us);
}

function shortUrl(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(path);
  if (packaged) return `${packaged[1]}/${packaged[2]}`;
  // Our processes run the build: dist/replicas/store.js is replicas/store.ts.
  return path.startsWith(PROJECT_ROOT) ? path.slice(PROJECT_ROOT.length).replace(/^dist\//, '') : path;
}

function label(frame: { functionName: string; url: string; lineNumber: number }): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return `${name} (native)`;
  // Our files run compiled (dist/), so their line numbers are not the source's.
  return isOwn(frame.url) ? `${name} ${shortUrl(frame.url)}` : `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function isOwn(url: string): boolean {
  const short = shortUrl(url);
  return /^(server|replicas|schema|cli)\//.test(short);
}

/** A package, a part of Node, one of our directories, or V8's own bookkeeping. */
function areaOf(frame: { functionName: string; url: string }): string {
  // Code with no script: V8 builtins (JSON parse/stringify), syscalls (writev), addons (better-sqlite3), crypto.
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : `native: ${frame.functionName || '(anonymous)'}`;
  const path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const packaged = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (packaged?.[1]) return packaged[1];
  if (path.startsWith('node:')) {
    const parts = path.slice(5).replace(/^internal\//, '').split('/');
    if (parts[0] === 'deps') return parts[1] === 'undici' ? 'undici (Node\'s fetch)' : `node:${parts[1] ?? ''}`;
    const module = (parts[0] ?? path).replace(/^_/, '');
    return `node:${module.startsWith('http') ? 'http' : module}`;
  }
  const own = shortUrl(frame.url);
  return own.includes('/') ? `${own.split('/')[0]}/` : own;
}
