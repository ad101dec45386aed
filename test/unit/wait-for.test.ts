import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : 0))).resolves.toBe(3);
  });
  it('times out with the last error', async () => {
    await expect(
      waitFor(() => { throw new Error('nope'); }, { timeoutMs: 30, what: 'x' }),
    ).rejects.toThrow(/waiting for x: nope/);
  });
});
