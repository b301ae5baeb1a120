import { auroraLocalStorageGiB, KNOWN_INSTANCE_CLASSES } from '../../shared/aurora';

describe('auroraLocalStorageGiB', () => {
  it('is about twice the memory of a provisioned class', () => {
    expect(auroraLocalStorageGiB('db.r6g.large')).toBe(32);
    expect(auroraLocalStorageGiB('db.r6g.xlarge')).toBe(64);
  });

  it('follows the Serverless v2 maximum (2 GiB of memory per ACU)', () => {
    expect(auroraLocalStorageGiB('db.serverless', 4)).toBe(16);
  });

  it('knows nothing of other classes', () => {
    expect(auroraLocalStorageGiB('db.x2g.16xlarge')).toBeUndefined();
    expect(auroraLocalStorageGiB('db.serverless')).toBeUndefined();
    expect(KNOWN_INSTANCE_CLASSES.every((c) => auroraLocalStorageGiB(c) !== undefined)).toBe(true);
  });
});
