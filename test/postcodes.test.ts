// Postcode checks through the real gateway (in this process), with msw
// standing in for postcodes.io (the only thing mocked), and in offline mode.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/cluster.ts';
import { InProcessCluster } from './helpers/in-process.ts';
import { type PostcodesMock, startPostcodesMock } from './helpers/postcodes-mock.ts';
import { DETAILS, SAVE_DETAILS } from './helpers/shop.ts';

const CHECK = `query Check($postcode: String!) { postcode(postcode: $postcode) { postcode valid errors { code field message } } }`;

async function save(cluster: InProcessCluster, postcode: string) {
  const response = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, postcode } });
  return response.data?.saveContactDetails;
}

describe('postcodes via postcodes.io', () => {
  let mock: PostcodesMock;
  let cluster: InProcessCluster;
  beforeAll(async () => {
    mock = await startPostcodesMock();
    cluster = await InProcessCluster.start({ replicas: 2, postcodesUrl: mock.url });
  });
  afterAll(async () => {
    await cluster?.close();
    await mock?.close();
  });
  afterEach(() => mock.setMode('normal'));

  it('accepts a real postcode, normalised', async () => {
    const saved = await save(cluster, 'ec1a1bb');
    expect(saved.errors).toEqual([]);
    expect(saved.customer.postcode).toBe('EC1A 1BB');
    expect((await cluster.gql(CHECK, { postcode: 'm1 1ae' })).data?.postcode).toEqual({ postcode: 'M1 1AE', valid: true, errors: [] });
  });

  it('flags a well-formed postcode that does not exist, and saves nothing', async () => {
    const saved = await save(cluster, 'ZZ9 9ZZ');
    expect(saved.customer).toBeNull();
    expect(saved.errors).toEqual([expect.objectContaining({ code: 'INVALID_POSTCODE', field: ['postcode'] })]);
  });

  it('never calls out for a malformed postcode', async () => {
    const before = mock.requests();
    const check = (await cluster.gql(CHECK, { postcode: 'not a postcode' })).data?.postcode;
    expect(check.valid).toBe(false);
    expect(check.errors[0].code).toBe('INVALID_POSTCODE');
    expect(mock.requests()).toBe(before);
  });

  it('retries a failing service and succeeds when it recovers', async () => {
    mock.setMode('flaky');
    const check = (await cluster.gql(CHECK, { postcode: 'B33 8TH' })).data?.postcode;
    expect(check).toEqual({ postcode: 'B33 8TH', valid: true, errors: [] });
    expect(mock.requests()).toBe(2);
  });

  it('says the service is unavailable (retryable) when it keeps failing', async () => {
    mock.setMode('error500');
    const saved = await save(cluster, 'CR2 6XH');
    expect(saved.customer).toBeNull();
    expect(saved.errors).toEqual([expect.objectContaining({ code: 'POSTCODE_SERVICE_UNAVAILABLE', field: ['postcode'] })]);
    expect(saved.errors[0].message).toMatch(/try again/i);
    expect(mock.requests()).toBe(3);
  });

  it('says the service is unavailable when it times out', async () => {
    mock.setMode('slow');
    const check = (await cluster.gql(CHECK, { postcode: 'DN55 1PT' })).data?.postcode;
    expect(check.errors[0].code).toBe('POSTCODE_SERVICE_UNAVAILABLE');
  }, 30_000);

  it('caches definite answers but not failures', async () => {
    await cluster.gql(CHECK, { postcode: 'SW1A 1AA' });
    const before = mock.requests();
    await cluster.gql(CHECK, { postcode: 'sw1a 1aa' });
    expect(mock.requests()).toBe(before);
  });
});

describe('postcodes when the service is down', () => {
  it('answers POSTCODE_SERVICE_UNAVAILABLE when nothing listens', async () => {
    const port = await freePort();
    const cluster = await InProcessCluster.start({ replicas: 2, postcodesUrl: `http://127.0.0.1:${port}` });
    try {
      const saved = await save(cluster, 'SW1A 1AA');
      expect(saved.errors).toEqual([expect.objectContaining({ code: 'POSTCODE_SERVICE_UNAVAILABLE' })]);
    } finally {
      await cluster.close();
    }
  });
});

describe('postcodes offline', () => {
  it('checks the format only, with no calls out', async () => {
    const cluster = await InProcessCluster.start({ replicas: 2 });
    try {
      expect((await save(cluster, 'zz99 9zz')).customer.postcode).toBe('ZZ99 9ZZ');
      expect((await save(cluster, '12345')).errors[0].code).toBe('INVALID_POSTCODE');
    } finally {
      await cluster.close();
    }
  });
});
