// `just-hungry staff add|list|remove`: the kitchen, couriers and operators
// who move orders along (issue 16). Staff are kept by the replicas like
// customers, as one replicated write each, and known by a bearer token kept
// only as its hash: the token is made here, printed once, and only its hash
// is sent. The gateway takes these calls with the cluster secret, which this
// command reads from the data directory as every process does.
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { loadClusterSecret } from '../replicas/cluster-secret.ts';
import { CLUSTER_SECRET_HEADER } from '../replicas/protocol.ts';
import type { Staff, StaffRole } from '../replicas/domain/types.ts';
import { newStaffToken } from '../server/tokens.ts';

export interface StaffFlags {
  data: string;
  gateway: string;
  json?: boolean;
}

async function call(flags: StaffFlags, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const secret = loadClusterSecret(resolve(flags.data), process.env.JH_CLUSTER_SECRET);
  let response: Response;
  try {
    response = await fetch(new URL(path, flags.gateway), {
      method,
      headers: { [CLUSTER_SECRET_HEADER]: secret, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    throw new Error(`cannot reach the gateway at ${flags.gateway} (${(error as Error).message}): is it running? (--gateway URL)`);
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 401) throw new Error(`the gateway at ${flags.gateway} refused the cluster secret from ${resolve(flags.data)}: use the --data directory the cluster runs with`);
  if (response.status === 400 && Array.isArray(answer.errors)) {
    throw new InvalidArgumentError((answer.errors as { message: string }[]).map((e) => e.message).join(' '));
  }
  if (!response.ok) throw new Error(`the gateway answered HTTP ${response.status}: ${String(answer.error ?? '')}`);
  return answer;
}

export async function addStaff(name: string, role: StaffRole, flags: StaffFlags): Promise<void> {
  const { token, tokenHash } = newStaffToken();
  const { staff } = (await call(flags, 'POST', '/cluster/staff/add', { name, role, tokenHash })) as { staff: Staff };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ staff, token })}\n`);
    return;
  }
  process.stdout.write(
    [
      `Added ${staff.name} (${staff.role.toLowerCase()}), id ${staff.id}.`,
      `Their token, shown this once (only its hash is kept): ${token}`,
      'They send it as "Authorization: Bearer <token>".',
      '',
    ].join('\n'),
  );
}

export async function listStaff(flags: StaffFlags): Promise<void> {
  const { staff } = (await call(flags, 'GET', '/cluster/staff')) as { staff: Staff[] };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ staff })}\n`);
    return;
  }
  if (staff.length === 0) {
    process.stdout.write('No staff yet: add them with `just-hungry staff add NAME --role kitchen|courier|operator`.\n');
    return;
  }
  const width = Math.max(...staff.map((s) => s.name.length), 4);
  process.stdout.write(`${'NAME'.padEnd(width)}  ROLE      ID\n`);
  for (const s of staff) process.stdout.write(`${s.name.padEnd(width)}  ${s.role.toLowerCase().padEnd(8)}  ${s.id}\n`);
}

export async function removeStaff(id: string, flags: StaffFlags): Promise<void> {
  const { staff } = (await call(flags, 'POST', '/cluster/staff/remove', { staffId: id })) as { staff: Staff };
  process.stdout.write(`Removed ${staff.name} (${staff.role.toLowerCase()}): their token no longer works.\n`);
}
