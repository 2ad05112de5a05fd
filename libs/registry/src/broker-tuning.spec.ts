import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BROKER_TUNING, brokerUser } from './broker-tuning';
import { renderBrokerConfig } from './mosquitto-auth';

describe('BROKER_TUNING', () => {
  it('is what deploy/mosquitto/vigil-broker.conf says (the file the local stack runs with)', () => {
    const file = readFileSync(
      join(__dirname, '..', '..', '..', 'deploy', 'mosquitto', 'vigil-broker.conf'),
      'utf8',
    );
    const lines = file.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines).toEqual(BROKER_TUNING);
  });

  it('holds five minutes of 2,000 devices at 1 message/s with room to spare', () => {
    const queued = Number(/^max_queued_messages (\d+)$/m.exec(BROKER_TUNING.join('\n'))?.[1]);
    expect(queued).toBeGreaterThanOrEqual(2000 * 300);
  });

  it('is part of the generated authenticating broker config', () => {
    const config = renderBrokerConfig('/srv/broker', 1884, { user: 'vigil' }).split('\n');
    for (const line of BROKER_TUNING) expect(config).toContain(line);
  });
});

describe(brokerUser.name, () => {
  it('never runs the broker as root', () => {
    expect(brokerUser('root')).toBe('mosquitto');
    expect(brokerUser('alice')).toBe('alice');
    expect(renderBrokerConfig('/srv/broker', 1884, { user: brokerUser('root') })).not.toMatch(/^user root$/m);
  });
});
