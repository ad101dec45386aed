import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { installStopSignals } from '../../../src/cli/stop-signals.js';

function setup() {
  const source = new EventEmitter();
  const hardExit = vi.fn();
  const signals = installStopSignals(source, hardExit);
  return { source, hardExit, signals };
}

describe('installStopSignals', () => {
  it('aborts on the first SIGTERM and exits hard on the second', async () => {
    const { source, hardExit, signals } = setup();
    expect(signals.stop.aborted).toBe(false);
    source.emit('SIGTERM');
    expect(signals.stop.aborted).toBe(true);
    await expect(signals.stopped).resolves.toBe('SIGTERM');
    expect(hardExit).not.toHaveBeenCalled();
    source.emit('SIGINT');
    expect(hardExit).toHaveBeenCalledTimes(1);
  });

  it('holds SIGHUPs that come before a handler and delivers them once, as one', () => {
    const { source, signals } = setup();
    source.emit('SIGHUP');
    source.emit('SIGHUP');
    const handler = vi.fn();
    signals.onHup(handler);
    expect(handler).toHaveBeenCalledTimes(1);
    source.emit('SIGHUP');
    expect(handler).toHaveBeenCalledTimes(2);
    signals.onHup(undefined);
    source.emit('SIGHUP');
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('holds SIGUSR1 apart from SIGHUP: each goes to its own handler', () => {
    const { source, signals } = setup();
    source.emit('SIGUSR1');
    const hup = vi.fn();
    const usr1 = vi.fn();
    signals.onHup(hup);
    signals.onUsr1(usr1);
    expect(usr1).toHaveBeenCalledTimes(1);
    expect(hup).not.toHaveBeenCalled();
    source.emit('SIGHUP');
    expect(hup).toHaveBeenCalledTimes(1);
    expect(usr1).toHaveBeenCalledTimes(1);
  });

  it('removes its listeners on dispose', () => {
    const { source, signals } = setup();
    expect(source.listenerCount('SIGHUP')).toBe(1);
    signals.dispose();
    expect(source.listenerCount('SIGHUP') + source.listenerCount('SIGTERM') + source.listenerCount('SIGINT') + source.listenerCount('SIGUSR1')).toBe(0);
  });
});
