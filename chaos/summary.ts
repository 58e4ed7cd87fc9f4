// What a run did, in numbers, and how to print it and its violations.
import { type Violation, evidence } from './checker.ts';
import type { History, Op } from './history.ts';
import { lifecycleStatus } from './lifecycle-checks.ts';

export interface Summary {
  seed: number;
  /** How long the workload and faults ran (--duration). */
  workloadMs: number;
  /** The whole run: start, workload, settling, final reads. */
  durationMs: number;
  clients: number;
  replicas: number;
  faultKinds: string[];
  ops: { total: number; ok: number; fail: number; unknown: number; byType: Record<string, { ok: number; fail: number; unknown: number }> };
  /** Every error a client saw, by code (UserError codes, TIMEOUT, NETWORK, GraphQL error codes). */
  clientErrors: Record<string, number>;
  /** Checkouts acknowledged, and keys whose outcome stayed unknown after every retry. */
  orders: { keys: number; acknowledged: number; unresolved: number; cancelsAcknowledged: number };
  /** Staff's moves: requests (keys), sends by outcome, refusals by code, and the moves acknowledged by target status. */
  moves: { keys: number; ok: number; fail: number; unknown: number; refusals: Record<string, number>; acknowledged: Record<string, number> };
  /** Where the orders ended, by status (from the final read). */
  finalStatuses: Record<string, number>;
  faults: Record<string, number>;
  failovers: number;
  epochs: number;
  /** Faults after which the cluster was not whole again within the wait (a liveness finding, not a safety one). */
  slowRecoveries: { faultId: number; waitedMs: number }[];
  subscribers: { count: number; events: number };
  crashes: number;
  finalSeq: number | null;
  violations: Record<string, number>;
  verdict: 'no violations' | 'VIOLATIONS';
}

export function summarize(history: History, violations: Violation[], extra: { failovers: number; slowRecoveries: Summary['slowRecoveries']; durationMs: number }): Summary {
  const byType: Summary['ops']['byType'] = {};
  const clientErrors: Record<string, number> = {};
  for (const op of history.ops) {
    const counts = (byType[op.type] ??= { ok: 0, fail: 0, unknown: 0 });
    counts[op.outcome]++;
    if (op.outcome !== 'ok') clientErrors[op.code ?? 'UNKNOWN'] = (clientErrors[op.code ?? 'UNKNOWN'] ?? 0) + 1;
  }
  const places = history.ops.filter((op): op is Extract<Op, { type: 'placeOrder' }> => op.type === 'placeOrder');
  const keys = new Map<string, Extract<Op, { type: 'placeOrder' }>[]>();
  for (const op of places) keys.set(`${op.customerId}/${op.key}`, [...(keys.get(`${op.customerId}/${op.key}`) ?? []), op]);
  const settled = (attempts: Op[]) => attempts.some((op) => op.outcome === 'ok' || (op.outcome === 'fail' && op.code !== 'SERVICE_UNAVAILABLE'));
  const faults: Record<string, number> = {};
  for (const fault of history.faults) faults[fault.kind] = (faults[fault.kind] ?? 0) + 1;
  const moves = history.ops.filter((op): op is Extract<Op, { type: 'moveOrder' }> => op.type === 'moveOrder');
  const tally = (items: string[]) => items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [item]: (counts[item] ?? 0) + 1 }), {});
  const violationCounts: Record<string, number> = {};
  for (const v of violations) violationCounts[v.check] = (violationCounts[v.check] ?? 0) + 1;
  const options = history.options;
  return {
    seed: history.seed,
    workloadMs: Number(options.durationMs ?? 0),
    durationMs: extra.durationMs,
    clients: Number(options.clients ?? 0),
    replicas: Number(options.replicas ?? 0),
    faultKinds: Array.isArray(options.faults) ? options.faults.map(String) : [],
    ops: {
      total: history.ops.length,
      ok: history.ops.filter((op) => op.outcome === 'ok').length,
      fail: history.ops.filter((op) => op.outcome === 'fail').length,
      unknown: history.ops.filter((op) => op.outcome === 'unknown').length,
      byType,
    },
    clientErrors,
    orders: {
      keys: keys.size,
      acknowledged: [...keys.values()].filter((attempts) => attempts.some((op) => op.outcome === 'ok')).length,
      unresolved: [...keys.values()].filter((attempts) => !settled(attempts)).length,
      cancelsAcknowledged: history.ops.filter((op) => op.type === 'cancelOrder' && op.outcome === 'ok').length,
    },
    moves: {
      keys: new Set(moves.map((op) => `${op.staffId}/${op.key}`)).size,
      ok: moves.filter((op) => op.outcome === 'ok').length,
      fail: moves.filter((op) => op.outcome === 'fail').length,
      unknown: moves.filter((op) => op.outcome === 'unknown').length,
      refusals: tally(moves.filter((op) => op.outcome === 'fail').map((op) => op.code ?? 'UNKNOWN')),
      acknowledged: tally(moves.filter((op) => op.outcome === 'ok' && !op.replay).map((op) => op.to)),
    },
    finalStatuses: tally((history.final?.customers ?? []).flatMap((c) => c.orders.map((o) => lifecycleStatus(o.status)))),
    faults,
    failovers: extra.failovers,
    epochs: Math.max(0, ...history.views.map((v) => v.epoch)),
    slowRecoveries: extra.slowRecoveries,
    subscribers: { count: history.subscribers.length, events: history.subscribers.reduce((sum, s) => sum + s.events.length, 0) },
    crashes: history.crashes.length,
    finalSeq: history.final?.replicas[0]?.seq ?? null,
    violations: violationCounts,
    verdict: violations.length === 0 ? 'no violations' : 'VIOLATIONS',
  };
}

export function formatSummary(s: Summary): string {
  const counts = (record: Record<string, number>) => Object.entries(record).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const types = Object.entries(s.ops.byType).map(([type, c]) => `${type} ${c.ok}/${c.fail}/${c.unknown}`).join(', ');
  return [
    `chaos run, seed ${s.seed}: workload ${(s.workloadMs / 1000).toFixed(0)} s (run ${(s.durationMs / 1000).toFixed(0)} s), ${s.clients} clients, ${s.replicas} replicas, faults ${s.faultKinds.join(',') || 'none'}`,
    `  operations      ${s.ops.total} (ok ${s.ops.ok}, failed ${s.ops.fail}, unknown ${s.ops.unknown})`,
    `  by type         ${types}  (ok/failed/unknown)`,
    `  checkouts       ${s.orders.keys} keys, ${s.orders.acknowledged} acknowledged, ${s.orders.unresolved} unresolved; ${s.orders.cancelsAcknowledged} cancellations acknowledged`,
    `  moves           ${s.moves.keys} requested, sent ${s.moves.ok + s.moves.fail + s.moves.unknown} times (ok ${s.moves.ok}, refused ${s.moves.fail}, unknown ${s.moves.unknown}); refusals: ${counts(s.moves.refusals)}`,
    `  moves acked     ${counts(s.moves.acknowledged)}  (by target, repeats included)`,
    `  orders end      ${counts(s.finalStatuses)}`,
    `  client errors   ${counts(s.clientErrors)}`,
    `  faults          ${counts(s.faults)}`,
    `  failovers       ${s.failovers} (last epoch ${s.epochs})${s.slowRecoveries.length > 0 ? `; ${s.slowRecoveries.length} slow recoveries` : ''}`,
    `  subscribers     ${s.subscribers.count}, ${s.subscribers.events} events`,
    `  final seq       ${s.finalSeq ?? 'unknown'}`,
    `  crashes         ${s.crashes}`,
    `  violations      ${counts(s.violations)}`,
    `  verdict         ${s.verdict}`,
  ].join('\n');
}

/** A violation with the part of the history that shows it. */
export function formatViolation(history: History, violation: Violation): string {
  const shown = evidence(history, violation);
  const lines = [`[${violation.check}] ${violation.message}`];
  for (const op of shown.ops) lines.push(`    op ${formatOp(op)}`);
  for (const fault of shown.faults.slice(-8)) lines.push(`    fault ${fault.id} ${fault.start}-${fault.end ?? '?'} ms: ${fault.kind}: ${fault.description}`);
  for (const view of shown.views.slice(-8)) lines.push(`    view at ${view.at} ms: epoch ${view.epoch} primary ${view.primary ?? '-'} backups [${view.backups.join(',')}]${view.writable ? '' : ' (not writable)'}`);
  return lines.join('\n');
}

export function formatOp(op: Op): string {
  const head = `${op.id} client ${op.client} ${op.start}-${op.end} ms ${op.type}`;
  const detail =
    op.type === 'placeOrder' ? ` key ${op.key} tip ${op.tipMinor} attempt ${op.attempt}${op.replay ? ' (replay)' : ''}`
      : op.type === 'reuseKey' ? ` key ${op.key} reused with tip ${op.tipMinor}`
      : op.type === 'cancelOrder' ? ` order ${op.orderId} attempt ${op.attempt}`
      : op.type === 'moveOrder' ? ` ${op.role} order ${op.orderId} to ${op.to} key ${op.key} attempt ${op.attempt}${op.replay ? ' (replay)' : ''}`
      : op.type === 'staffOrders' ? ` ${op.role} ${op.statuses.join(',')}` : '';
  const result = op.outcome === 'ok' && (op.type === 'placeOrder' || op.type === 'moveOrder') && op.result ? ` -> order ${op.result.id} ${op.result.status}`
    : op.outcome === 'fail' && (op.type === 'moveOrder' || op.type === 'cancelOrder') ? ` (${op.message ?? ''})` : '';
  return `${head}${detail}: ${op.outcome}${op.code ? ` ${op.code}` : ''}${result}`;
}
