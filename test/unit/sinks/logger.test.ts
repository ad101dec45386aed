import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/sinks/logger.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('writes JSON lines with the component of a child logger', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'json', redactFields: [], stream: out.stream });
    logger.child({ component: 'x' }).info('hello', { n: 1 });
    await logger.close();
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ message: 'hello', component: 'x', n: 1, level: 'info' });
  });

  it('drops lines logged after close, from the root and from children, without throwing', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'json', redactFields: [], stream: out.stream });
    const child = logger.child({ component: 'late' });
    logger.info('before');
    await logger.close();
    const errors: unknown[] = [];
    const onError = (err: unknown): void => {
      errors.push(err);
    };
    process.on('uncaughtException', onError);
    try {
      expect(() => {
        logger.warn('after close');
        child.error('child after close');
        child.child({ more: 1 }).info('grandchild after close');
      }).not.toThrow();
      // winston reports a write after end asynchronously: give it a turn to surface.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(errors).toEqual([]);
    expect(out.text()).toContain('before');
    expect(out.text()).not.toContain('after close');
  });

  it('closes twice without hanging', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'json', redactFields: [], stream: out.stream });
    await logger.close();
    await logger.close();
    expect(out.text()).toBe('');
  });
});
