import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { buildConnector } from 'undici';
import { ResilientClient } from './client.ts';
import { DestinationPolicy, DestinationRefusedError, guardedConnector, parseAddress } from './destination.ts';

// Decisions are checked on literal addresses and on names answered by fake resolvers; the only sockets
// opened are to a listener on 127.0.0.1. Nothing here sends a packet past loopback.

const closed = new DestinationPolicy();

function literal(policy: DestinationPolicy, url: string) {
  return policy.literalRefusal(new URL(url));
}

describe('destination policy on literal addresses', () => {
  const refused: [string, string][] = [
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.0.0.1:4010/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://localhost:8080/', 'loopback'],
    ['http://api.localhost/', 'loopback'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://100.64.0.1/', 'private'],
    ['http://[fc00::1]/', 'private'],
    ['http://169.254.1.1/', 'link_local'],
    ['http://[fe80::1]/', 'link_local'],
    ['http://169.254.169.254/latest/meta-data/', 'metadata'],
    ['http://[fd00:ec2::254]/', 'metadata'],
    ['http://100.100.100.200/', 'metadata'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://[ff02::1]/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://240.0.0.1/', 'reserved'],
    ['http://192.0.2.1/', 'reserved'],
    // 6to4, Teredo (inverted client address) and NAT64 forms of 127.0.0.1 and 10.0.0.1
    ['http://[2002:7f00:1::1]/', 'loopback'],
    ['http://[2001:0:1:2:3:4:80ff:fffe]/', 'loopback'],
    ['http://[64:ff9b::7f00:1]/', 'loopback'],
    ['http://[64:ff9b::a00:1]/', 'private'],
  ];
  for (const [url, reason] of refused) {
    test(`${url} is refused (${reason})`, () => assert.equal(literal(closed, url), reason));
  }

  for (const url of ['http://93.184.216.34/', 'https://[2606:4700:4700::1111]/', 'http://[2002:5db8:d822::1]/']) {
    test(`${url} (public) is allowed`, () => assert.equal(literal(closed, url), undefined));
  }

  test('a name that needs DNS is left to the call-time check', () => {
    assert.equal(literal(closed, 'https://api.example.com/'), undefined);
  });

  test('short and mapped spellings parse as the IPv4 they mean', () => {
    for (const spelling of ['2130706433', '0x7f000001', '127.1', '0177.0.0.1', '[::ffff:7f00:1]'])
      assert.equal(parseAddress(spelling)?.toString(), '127.0.0.1', spelling);
  });
});

describe('the operator allow list', () => {
  test('a host allows every port on that address, and only that address', () => {
    const policy = new DestinationPolicy({ allow: ['127.0.0.1'] });
    assert.equal(literal(policy, 'http://127.0.0.1:4010/'), undefined);
    assert.equal(literal(policy, 'http://127.0.0.2/'), 'loopback');
    assert.equal(literal(policy, 'http://[::1]/'), 'loopback');
  });

  test('host:port allows that port only; [v6]:port and bare IPv6 are understood', () => {
    const policy = new DestinationPolicy({ allow: ['127.0.0.1:4010', '[::1]:8080', 'fd12::7'] });
    assert.equal(literal(policy, 'http://127.0.0.1:4010/'), undefined);
    assert.equal(literal(policy, 'http://127.0.0.1:4011/'), 'loopback');
    assert.equal(literal(policy, 'http://[::1]:8080/'), undefined);
    assert.equal(literal(policy, 'http://[::1]:8081/'), 'loopback');
    assert.equal(literal(policy, 'http://[fd12::7]/'), undefined);
  });

  test('a CIDR allows its range, but a metadata address only when listed exactly', () => {
    const policy = new DestinationPolicy({ allow: ['10.0.0.0/8', '169.254.0.0/16', ' 192.168.0.0/16 ', ''] });
    assert.equal(literal(policy, 'http://10.20.30.40/'), undefined);
    assert.equal(literal(policy, 'http://192.168.3.4/'), undefined);
    assert.equal(literal(policy, 'http://172.16.0.1/'), 'private');
    assert.equal(literal(policy, 'http://169.254.1.1/'), undefined);
    assert.equal(literal(policy, 'http://169.254.169.254/'), 'metadata');
    const exact = new DestinationPolicy({ allow: ['169.254.169.254'] });
    assert.equal(literal(exact, 'http://169.254.169.254/'), undefined);
  });

  test('a host name allows whatever it resolves to', () => {
    const policy = new DestinationPolicy({ allow: ['billing.internal', 'localhost:4010'] });
    assert.equal(policy.refusal('billing.internal', 443, '10.0.0.5'), undefined);
    assert.equal(policy.refusal('BILLING.internal.', 443, '10.0.0.5'), undefined);
    assert.equal(policy.refusal('other.internal', 443, '10.0.0.5'), 'private');
    assert.equal(literal(policy, 'http://localhost:4010/'), undefined);
    assert.equal(literal(policy, 'http://localhost:4011/'), 'loopback');
  });

  test("the app's own port is refused on every local address unless that host:port is listed", () => {
    const options = { selfPorts: [3000], localAddresses: ['192.168.1.5'] };
    const policy = new DestinationPolicy({ ...options, allow: ['127.0.0.1', '192.168.0.0/16'] });
    assert.equal(literal(policy, 'http://127.0.0.1:3000/'), 'self');
    assert.equal(literal(policy, 'http://0.0.0.0:3000/'), 'self');
    assert.equal(literal(policy, 'http://192.168.1.5:3000/'), 'self');
    assert.equal(literal(policy, 'http://192.168.1.6:3000/'), undefined);
    assert.equal(literal(policy, 'http://127.0.0.1:3001/'), undefined);
    const listed = new DestinationPolicy({ ...options, allow: ['127.0.0.1:3000'] });
    assert.equal(literal(listed, 'http://127.0.0.1:3000/'), undefined);
  });

  test('an entry that is no host, host:port or CIDR is rejected when the policy is built', () => {
    assert.throws(() => new DestinationPolicy({ allow: ['http://x/'] }), /not a host/);
    assert.throws(() => new DestinationPolicy({ allow: ['10.0.0.0/99'] }), /not a host/);
  });
});

type ConnectCall = { hostname: string; servername?: string };

/** A connector that records where it was asked to go and fails: it never opens a socket. */
function recordingConnector(calls: ConnectCall[]): buildConnector.connector {
  return (opts, callback) => {
    calls.push({ hostname: opts.hostname, servername: opts.servername });
    callback(Object.assign(new Error('recorded, not connected'), { code: 'ECONNREFUSED' }), null);
  };
}

function connectOnce(connector: buildConnector.connector, hostname: string, protocol = 'https:', port = '') {
  return new Promise<Error | null>((resolve) =>
    connector({ hostname, host: hostname, protocol, port }, (...args) => resolve(args[0])),
  );
}

describe('the guarded connector checks the resolved addresses', () => {
  test('a name resolving to 127.0.0.1 is refused before any connection', async () => {
    const calls: ConnectCall[] = [];
    const connector = guardedConnector(closed, {
      resolve: async () => ['127.0.0.1'],
      connect: recordingConnector(calls),
    });
    const error = await connectOnce(connector, 'innocent.example');
    assert.ok(error instanceof DestinationRefusedError);
    assert.equal(error.reason, 'loopback');
    assert.deepEqual(calls, []);
  });

  test('one refused address among several refuses the name', async () => {
    const calls: ConnectCall[] = [];
    const connector = guardedConnector(closed, {
      resolve: async () => ['93.184.216.34', '::ffff:169.254.169.254'],
      connect: recordingConnector(calls),
    });
    const error = await connectOnce(connector, 'mixed.example');
    assert.ok(error instanceof DestinationRefusedError);
    assert.equal(error.reason, 'metadata');
    assert.deepEqual(calls, []);
  });

  test('a rebinding name is resolved once per connection and dialled at the address that was checked', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    let lookups = 0;
    const calls: ConnectCall[] = [];
    const connector = guardedConnector(closed, {
      resolve: async () => answers[lookups++],
      connect: recordingConnector(calls),
    });
    const first = await connectOnce(connector, 'rebind.example');
    assert.ok(!(first instanceof DestinationRefusedError));
    assert.deepEqual(calls, [{ hostname: '93.184.216.34', servername: 'rebind.example' }]);
    assert.equal(lookups, 1);
    const second = await connectOnce(connector, 'rebind.example');
    assert.ok(second instanceof DestinationRefusedError);
    assert.equal(calls.length, 1);
  });

  test('a literal address is judged without a lookup', async () => {
    let lookups = 0;
    const calls: ConnectCall[] = [];
    const connector = guardedConnector(closed, {
      resolve: async () => {
        lookups++;
        return ['93.184.216.34'];
      },
      connect: recordingConnector(calls),
    });
    assert.ok((await connectOnce(connector, '::ffff:7f00:1', 'http:')) instanceof DestinationRefusedError);
    assert.equal(lookups, 0);
    assert.deepEqual(calls, []);
  });

  test('a lookup failure is reported as such, not as a refusal', async () => {
    const connector = guardedConnector(closed, {
      resolve: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.example'), { code: 'ENOTFOUND' });
      },
      connect: recordingConnector([]),
    });
    const error = await connectOnce(connector, 'nowhere.example');
    assert.equal((error as { code?: string }).code, 'ENOTFOUND');
  });
});

describe('a ResilientClient with a destination policy, against a listener on 127.0.0.1', () => {
  let connections = 0;
  let port = 0;
  const server = createServer((_req, res) => res.end('reached'));
  server.on('connection', () => {
    connections++;
  });

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const policy = { retry: { maxRetries: 3, initialDelayMs: 1 }, breaker: { consecutiveFailures: 2 } };

  async function refusalOf(client: ResilientClient) {
    try {
      await client.request({ method: 'GET', path: '/' });
    } catch (error) {
      return error;
    } finally {
      await client.close();
    }
    assert.fail('the call was not refused');
  }

  test('a refused client never reaches the listener, is not retried and does not trip the breaker', async () => {
    connections = 0;
    const client = new ResilientClient({
      name: 'refused',
      origin: `http://127.0.0.1:${port}`,
      policy,
      destinationPolicy: closed,
    });
    for (let i = 0; i < 3; i++) {
      const error = await client.request({ method: 'GET', path: '/' }).catch((e: unknown) => e);
      assert.ok(error instanceof DestinationRefusedError);
      assert.equal(error.errorType, 'destination_refused');
      assert.equal(error.attempts.length, 1);
    }
    assert.equal(client.breaker.state, 'closed');
    await client.close();
    assert.equal(connections, 0);
  });

  test('a name that resolves to the listener is refused at call time', async () => {
    connections = 0;
    const client = new ResilientClient({
      name: 'named',
      origin: `http://service.example:${port}`,
      destinationPolicy: closed,
      resolveHost: async () => ['127.0.0.1'],
    });
    assert.ok((await refusalOf(client)) instanceof DestinationRefusedError);
    assert.equal(connections, 0);
  });

  test('the refusal reads the same whether or not anything listens on the port', async () => {
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    const closedPort = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
    const open = (await refusalOf(
      new ResilientClient({ name: 'a', origin: `http://127.0.0.1:${port}`, destinationPolicy: closed }),
    )) as DestinationRefusedError;
    const shut = (await refusalOf(
      new ResilientClient({ name: 'a', origin: `http://127.0.0.1:${closedPort}`, destinationPolicy: closed }),
    )) as DestinationRefusedError;
    assert.deepEqual([shut.name, shut.errorType, shut.message], [open.name, open.errorType, open.message]);
  });

  test('an allowed client reaches the listener', async () => {
    connections = 0;
    const client = new ResilientClient({
      name: 'allowed',
      origin: `http://127.0.0.1:${port}`,
      destinationPolicy: new DestinationPolicy({ allow: ['127.0.0.1'] }),
    });
    const response = await client.request({ method: 'GET', path: '/' });
    await client.close();
    assert.equal(response.body.toString(), 'reached');
    assert.equal(connections, 1);
  });

  test('a name the operator allowed is dialled at its resolved loopback address', async () => {
    connections = 0;
    const client = new ResilientClient({
      name: 'allowed-name',
      origin: `http://service.example:${port}`,
      destinationPolicy: new DestinationPolicy({ allow: ['service.example'] }),
      resolveHost: async () => ['127.0.0.1'],
    });
    const response = await client.request({ method: 'GET', path: '/' });
    await client.close();
    assert.equal(response.status, 200);
    assert.equal(connections, 1);
  });
});
