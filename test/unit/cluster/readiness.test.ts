import { describe, expect, it } from 'vitest';
import { assessReadiness, type ReadinessInput } from '../../../src/ops/readiness.js';

const NOW = 1_000_000;
const BASE: ReadinessInput = { channels: [{ key: 'ch1', state: 'open', lastFrameAt: NOW - 1_000 }], schemaVersion: '1', tokenExpiresAt: NOW + 600_000 };
const instances = [
  { id: 'h1:1:aa', alive: true },
  { id: 'h2:2:bb', alive: true },
  { id: 'h3:3:cc', alive: false },
];

describe('readiness in cluster mode', () => {
  it('has no cluster check without a cluster', () => {
    expect(assessReadiness(BASE, NOW, { maxSilenceMs: 60_000 }).checks.map((c) => c.name)).not.toContain('cluster');
  });

  it('is ready with Redis reachable and names the live instances', () => {
    const report = assessReadiness({ ...BASE, cluster: { available: true, since: NOW - 5_000, waiting: 0, instances } }, NOW, { maxSilenceMs: 60_000 });
    expect(report.ready).toBe(true);
    expect(report.checks.find((c) => c.name === 'cluster')).toEqual({ name: 'cluster', ok: true, detail: 'Redis reachable; 2 instances alive (h1:1:aa, h2:2:bb)' });
  });

  it('is not ready while Redis is away, and says why, for how long and how much waits', () => {
    const report = assessReadiness({ ...BASE, cluster: { available: false, fault: 'unreachable', since: NOW - 12_400, waiting: 7, instances } }, NOW, { maxSilenceMs: 60_000 });
    expect(report.ready).toBe(false);
    expect(report.checks.find((c) => c.name === 'cluster')?.detail).toBe(
      'Redis unreachable for 12 s: nothing is claimed or written until it returns; 7 conversation(s) waiting; 2 instances alive (h1:1:aa, h2:2:bb) at the last heartbeat',
    );
  });
});

describe('readiness: channels of one OAuth client across the cluster', () => {
  it('counts them while within the cap', () => {
    const report = assessReadiness({ ...BASE, cluster: { available: true, since: NOW, waiting: 0, instances, channels: { onClient: 6, cap: 20 } } }, NOW, { maxSilenceMs: 60_000 });
    expect(report.checks.find((c) => c.name === 'cluster')).toMatchObject({ ok: true, detail: 'Redis reachable; 2 instances alive (h1:1:aa, h2:2:bb); 6 of 20 channels of the OAuth client' });
  });

  it('is not ready when the instances together hold more than the cap', () => {
    const report = assessReadiness({ ...BASE, cluster: { available: true, since: NOW, waiting: 0, instances, channels: { onClient: 21, cap: 20 } } }, NOW, { maxSilenceMs: 60_000 });
    const check = report.checks.find((c) => c.name === 'cluster');
    expect(check?.ok).toBe(false);
    expect(check?.detail).toMatch(/hold 21 channels on one OAuth client, above its cap of 20/);
  });
});
