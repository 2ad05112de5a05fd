import { hashPassword, renderAclFile, renderPasswordFile, verifyPassword } from './mosquitto-auth';

describe(hashPassword.name, () => {
  it('makes the hash mosquitto_passwd makes for the same salt', () => {
    // mosquitto_passwd -b pw dev-x secret1 (mosquitto 2.0.11) wrote this line:
    const fromMosquitto =
      '$7$101$TfiuKMiIa/WvQ5h6$pyTlxF/Q+NZVDMqbnM+2FIL1V3lFTMHSZINefbkfffnO5sHYyKmIov8p9QhSDytzc09Tv28xV5ewVASjwGMzEw==';
    expect(hashPassword('secret1', Buffer.from('TfiuKMiIa/WvQ5h6', 'base64'))).toBe(fromMosquitto);
    expect(verifyPassword('secret1', fromMosquitto)).toBe(true);
    expect(verifyPassword('secret2', fromMosquitto)).toBe(false);
  });
});

describe(renderPasswordFile.name, () => {
  it('lists service accounts and devices that are not revoked', () => {
    const device = (deviceId: string, revoked: boolean) => ({
      deviceId,
      passwordHash: `h-${deviceId}`,
      model: null,
      registeredAt: 0,
      revoked,
      patientId: null,
      boundAt: null,
    });
    expect(
      renderPasswordFile(
        [device('dev-2', false), device('dev-1', true)],
        [{ username: 'vigil-ingest', passwordHash: 'hi' }],
      ),
    ).toBe('dev-2:h-dev-2\nvigil-ingest:hi\n');
    expect(renderAclFile('vigil-ingest')).toContain('pattern write vigil/v1/devices/%u/telemetry');
  });
});
