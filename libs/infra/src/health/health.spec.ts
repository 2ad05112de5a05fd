import { readiness } from './health';

describe(readiness.name, () => {
  it('is ok when every check is up, and keeps what the checks measured', () => {
    expect(
      readiness([
        ['kafka', true],
        ['consumer-lag', { up: true, detail: 'lag 3 records' }],
      ]),
    ).toEqual({
      status: 'ok',
      checks: { kafka: 'up', 'consumer-lag': 'up' },
      down: [],
      details: { 'consumer-lag': 'lag 3 records' },
    });
  });

  it('names each dependency that is down, and why', () => {
    const verdict = readiness([
      ['kafka', { up: false, detail: 'unreachable: connect ECONNREFUSED' }],
      ['redis', new Error('no answer within 2000 ms')],
      ['mqtt', true],
    ]);
    expect(verdict.status).toBe('error');
    expect(verdict.down).toEqual(['kafka', 'redis']);
    expect(verdict.checks).toEqual({ kafka: 'down', redis: 'down', mqtt: 'up' });
    expect(verdict.details).toEqual({
      kafka: 'unreachable: connect ECONNREFUSED',
      redis: 'no answer within 2000 ms',
    });
  });
});
