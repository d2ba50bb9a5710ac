import request from 'supertest';
import { startApiTestApp, type ApiTestApp } from './support/api-test-app';
import { faultyStore, storeFaults, type StoreFaults } from './support/faulty-store';

interface LogLine {
  level: number;
  msg: string;
  code?: string;
}

/**
 * A load balancer probes `/health` every few seconds: at the default level (info) the log used to get an access
 * line for every probe while all was well, and three lines for every failed one (terminus's, the server's 503 line,
 * the access line). Now a healthy probe writes nothing, and readiness writes one line when it goes down (and when
 * its cause changes) and one when it is back up.
 */
describe('health probes in the log', () => {
  let api: ApiTestApp;
  let faults: StoreFaults;
  const written: string[] = [];
  const linesFrom = (from: number): LogLine[] =>
    written.slice(from).join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogLine).filter((line) => /health|readiness/i.test(line.msg));

  beforeAll(async () => {
    faults = storeFaults();
    api = await startApiTestApp({ wrapStore: faultyStore(faults), logDestination: { write: (chunk: string) => void written.push(chunk) } });
  });
  afterAll(async () => api.close());

  const probe = async (times: number, status: number): Promise<void> => {
    for (let i = 0; i < times; i += 1) {
      for (const path of ['/health', '/health/ready']) await request(api.http).get(path).expect(status);
      await request(api.http).get('/health/live').expect(200);
    }
    await new Promise((r) => setTimeout(r, 20));
  };

  it('given healthy probes, nothing is logged; given the store down, one line with its code; given it back, one line', async () => {
    let from = written.length;
    await probe(10, 200);
    expect(linesFrom(from)).toEqual([]);

    from = written.length;
    faults.unavailable = true;
    await probe(10, 503);
    const down = linesFrom(from);
    expect(down).toEqual([expect.objectContaining({ level: 40, code: 'STORE.UNAVAILABLE', msg: expect.stringMatching(/^readiness down/) })]);

    from = written.length;
    faults.unavailable = false;
    await probe(10, 200);
    expect(linesFrom(from)).toEqual([expect.objectContaining({ level: 30, msg: expect.stringMatching(/^readiness up again .*STORE\.UNAVAILABLE/) })]);
  });

  it('a request to a health path that is refused for another reason (an undeclared query parameter) keeps its access line', async () => {
    const from = written.length;
    await request(api.http).get('/health/ready?verbose=1').expect(400);
    await new Promise((r) => setTimeout(r, 20));
    expect(linesFrom(from)).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('GET /health/ready?verbose=1 400') })]);
  });
});
