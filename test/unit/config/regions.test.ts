// Regions come from the pinned SDK's own list: a region only the SDK knows is accepted, a
// misspelt one stays a config error with a suggestion.
import platformClient from 'purecloud-platform-client-v2';
import { describe, expect, it } from 'vitest';
import { GENESYS_REGIONS } from '../../../src/config/index.js';
import { checkRegion } from '../../../src/config/values.js';

describe('Genesys regions', () => {
  it('are exactly the SDK\'s region hosts', () => {
    expect([...GENESYS_REGIONS].sort()).toEqual([...new Set(Object.values(platformClient.PureCloudRegionHosts))].sort());
  });

  it('accept a region the hand-written list lacked (EU sovereign cloud, in the pinned SDK)', () => {
    expect(Object.values(platformClient.PureCloudRegionHosts)).toContain('edee1.eusc-pure.cloud');
    expect(checkRegion('edee1.eusc-pure.cloud')).toBeUndefined();
  });

  it.each([
    ['edee1.eusc-pure.clod', 'did you mean "edee1.eusc-pure.cloud"?'],
    ['mypurecloud.i', 'did you mean "mypurecloud.ie"?'],
    ['mars1.pure.cloud', 'is not a Genesys Cloud region'],
  ])('refuse the misspelt %s', (region, problem) => {
    expect(checkRegion(region)).toContain(problem);
  });
});
