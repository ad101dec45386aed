import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { longestConversationMs } from '../../../src/sandbox/traffic/durations.js';
import { TrafficGenerator, type TrafficEvent } from '../../../src/sandbox/traffic/generator.js';
import { FakeOrg } from './fake-org.js';

// Pure timing logic: fake timers (and a fake Date) drive the scheduler; no sockets here.
beforeEach(() => {
  vi.useFakeTimers({ now: Date.UTC(2025, 0, 6, 9) });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TrafficGenerator timing', () => {
  it('play() starts exactly count conversations and resolves once all have ended', async () => {
    const org = new FakeOrg();
    const traffic = new TrafficGenerator(org);
    let done = false;
    const played = traffic.play(30, { ratePerSec: 20, speed: 100, seed: 3 }).then(() => { done = true; });
    await vi.advanceTimersByTimeAsync(500);
    expect(done).toBe(false);
    expect(traffic.started).toBeGreaterThan(0);
    expect(traffic.started).toBeLessThan(30);
    await vi.advanceTimersByTimeAsync(60_000);
    await played;
    expect(traffic.started).toBe(30);
    expect(traffic.ended).toBe(30);
    expect(traffic.active).toBe(0);
    expect(org.settled).toHaveLength(30);
    expect(traffic.connected).toBeGreaterThan(0);
    expect(traffic.connected).toBeLessThanOrEqual(30);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('scales real durations by speed: timestamps are minutes apart at speed 1', async () => {
    const org = new FakeOrg();
    const traffic = new TrafficGenerator(org);
    const conv = await traffic.startOne({ media: 'call', script: 'connect', seed: 11 });
    await vi.advanceTimersByTimeAsync(longestConversationMs('call'));
    expect(conv.endedAt).toBeDefined();
    const customer = conv.participants[0]!;
    const agent = conv.participants.find((p) => p.purpose === 'agent')!;
    const start = Date.parse(customer.startTime);
    expect(Date.parse(agent.startTime)).toBeGreaterThan(start + 5_000); // at least IVR + queue wait
    expect(Date.parse(agent.connectedTime!)).toBeGreaterThan(Date.parse(agent.startTime));
    expect(Date.parse(customer.endTime!) - Date.parse(agent.connectedTime!)).toBeGreaterThanOrEqual(30_000);
  });

  it('runs continuously at about ratePerSec until stopped, then clears every timer', async () => {
    const org = new FakeOrg();
    const traffic = new TrafficGenerator(org);
    traffic.start({ ratePerSec: 50, speed: 10, seed: 8 });
    await vi.advanceTimersByTimeAsync(10_000);
    // Poisson arrivals: 500 expected in 10 s; far outside these bounds means a broken rate.
    expect(traffic.started).toBeGreaterThan(400);
    expect(traffic.started).toBeLessThan(600);
    expect(traffic.active).toBeGreaterThan(0);
    traffic.stop();
    expect(vi.getTimerCount()).toBe(0);
    const { started, ended } = traffic;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(traffic.started).toBe(started);
    expect(traffic.ended).toBe(ended);
  });

  it('pause() freezes arrivals and conversations; resume() continues with the time that was left', async () => {
    const org = new FakeOrg();
    const events: TrafficEvent[] = [];
    const traffic = new TrafficGenerator(org, { onEvent: (e) => events.push(e) });
    traffic.start({ ratePerSec: 5, speed: 50, seed: 1 });
    await vi.advanceTimersByTimeAsync(2_000);
    traffic.pause();
    expect(traffic.paused).toBe(true);
    const frozen = events.length;
    const published = org.published.length;
    await vi.advanceTimersByTimeAsync(120_000);
    expect(events).toHaveLength(frozen);
    expect(org.published).toHaveLength(published);
    traffic.resume();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(events.length).toBeGreaterThan(frozen);
    traffic.stop();
  });

  it('step() plays whatever is due next while paused', async () => {
    const org = new FakeOrg();
    const traffic = new TrafficGenerator(org);
    traffic.pause();
    const conv = await traffic.startOne({ media: 'chat', script: 'connect', seed: 2 });
    expect(org.of(conv.id)).toHaveLength(1);
    expect(traffic.step()).toBe(true);
    expect(org.of(conv.id)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(org.of(conv.id)).toHaveLength(2);
    traffic.stop();
    expect(traffic.step()).toBe(false);
  });

  it('startOne() resolves at the milestone asked for', async () => {
    const org = new FakeOrg();
    const traffic = new TrafficGenerator(org);
    let connected: boolean | undefined;
    const pending = traffic.startOne({ media: 'call', script: 'connect', until: 'connected', speed: 10, seed: 4 }).then((conv) => {
      connected = conv.participants.some((p) => p.purpose === 'agent' && p.leg.state === 'connected');
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(connected).toBeUndefined();
    await vi.advanceTimersByTimeAsync(longestConversationMs('call') / 10);
    await pending;
    expect(connected).toBe(true);
    traffic.stop();
  });

  it('stop() lets a pending play() resolve and leaves conversations where they are', async () => {
    const org = new FakeOrg();
    const traffic = new TrafficGenerator(org);
    const played = traffic.play(10, { ratePerSec: 100, speed: 1, seed: 5 });
    await vi.advanceTimersByTimeAsync(1_000);
    traffic.stop();
    await played;
    expect(traffic.ended).toBeLessThan(traffic.started);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([
    [{ ratePerSec: 0 }],
    [{ ratePerSec: 1, speed: -1 }],
    [{ ratePerSec: 1, abandonShare: 0.6, transferShare: 0.6 }],
    [{ ratePerSec: 1, queueIds: ['not-a-queue'] }],
    [{ ratePerSec: 1, media: [] }],
  ])('rejects invalid options %j', async (opts) => {
    const traffic = new TrafficGenerator(new FakeOrg());
    expect(() => { traffic.start(opts); }).toThrow(expect.objectContaining({ code: 'traffic.invalid-options' }));
    await expect(traffic.play(1, opts)).rejects.toMatchObject({ code: 'traffic.invalid-options' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps going when a subscriber throws', async () => {
    const org = new FakeOrg();
    org.publishConversation = () => {
      throw new Error('subscriber down');
    };
    const traffic = new TrafficGenerator(org);
    const playing = traffic.play(3, { ratePerSec: 100, speed: 1000, seed: 6 });
    await vi.advanceTimersByTimeAsync(10_000);
    await playing;
    expect(traffic.ended).toBe(3);
    expect(org.settled).toHaveLength(3);
  });
});
