// One definition of a pause, shared by the replicas and the gateway's retry
// loops (so the gateway need not import a replica's write path for it).
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
