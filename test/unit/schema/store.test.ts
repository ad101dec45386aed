import { describe, expect, it } from 'vitest';
import { EnricherError } from '../../../src/errors.js';
import type { Logger } from '../../../src/log.js';
import { SchemaError } from '../../../src/schema/compile.js';
import { SchemaStore, type SchemaSource } from '../../../src/schema/store.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type Published = Awaited<ReturnType<SchemaSource['loadPublished']>>;

/** A source whose every call waits until the test answers it. */
class FakeSource implements SchemaSource {
  readonly calls: Deferred<Published>[] = [];
  loadPublished(): Promise<Published> {
    const d = deferred<Published>();
    this.calls.push(d);
    return d.promise;
  }
  /** Answers call `i` with a schema of one field named after the version. */
  answer(i: number, versionId: string): void {
    this.calls[i]!.resolve(published(versionId));
  }
}

function published(versionId: string): Published {
  return { versionId, inputSchema: { type: 'object', properties: { [`Flow.v${versionId}`]: { type: 'string' } } } };
}

/** Records log lines so tests can check what was (and was not) logged. */
function recordingLogger(lines: { level: string; message: string; fields?: Record<string, unknown> }[]): Logger {
  const log =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(fields === undefined ? { level, message } : { level, message, fields });
    };
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: () => logger };
  return logger;
}

const PUBLISH = { currentOperation: { actionName: 'PUBLISH', actionStatus: 'SUCCESS', complete: true } };
const flow = (versionId: string) => ({ id: 'flow', publishedVersion: { id: versionId } });

/** Lets pending promise callbacks run (no timers involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup() {
  const source = new FakeSource();
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const store = new SchemaStore({ maxValueLength: 256 }, { source, logger: recordingLogger(lines) });
  return { source, store, lines };
}

async function loaded(versionId = '1') {
  const s = setup();
  const loading = s.store.load();
  s.source.answer(0, versionId);
  await loading;
  return s;
}

describe('SchemaStore', () => {
  it('has no schema before load, then the published one', async () => {
    const { source, store } = setup();
    expect(store.current()).toBeUndefined();
    const loading = store.load();
    source.answer(0, '1');
    const schema = await loading;
    expect(schema.versionId).toBe('1');
    expect(store.current()).toBe(schema);
    expect([...schema.fields.keys()]).toEqual(['Flow.v1']);
  });

  it('compiles an inline schema as version "inline" without a source', async () => {
    const store = new SchemaStore({ maxValueLength: 5, inline: { properties: { 'Flow.a': { type: 'string' } } } }, { logger: recordingLogger([]) });
    const schema = await store.load();
    expect(schema.versionId).toBe('inline');
    expect(store.current()).toBe(schema);
    expect(schema.coerce({ 'Flow.a': 'toolong' }).dropped).toEqual([{ field: 'Flow.a', reason: 'too-long' }]);
    store.onFlowEvent(PUBLISH);
    await store.whenIdle();
    expect(store.current()).toBe(schema);
    expect(store.refreshes).toBe(0);
  });

  it('rejects load without a source or inline schema, and on a bad schema or a failing source', async () => {
    await expect(new SchemaStore({ maxValueLength: 256 }, { logger: recordingLogger([]) }).load()).rejects.toBeInstanceOf(SchemaError);

    const { source, store } = setup();
    const bad = store.load();
    source.calls[0]!.resolve({ versionId: '1', inputSchema: { type: 'array' } });
    await expect(bad).rejects.toThrow(SchemaError);

    const failing = store.load();
    source.calls[1]!.reject(new EnricherError('genesys.unavailable', 'down'));
    await expect(failing).rejects.toMatchObject({ code: 'genesys.unavailable' });

    const noId = store.load();
    source.calls[2]!.resolve({ versionId: '', inputSchema: {} });
    await expect(noId).rejects.toThrow(/no id/);
    expect(store.current()).toBeUndefined();
  });

  it('refreshes on a successful publish and swaps atomically', async () => {
    const { source, store, lines } = await loaded('1');
    const before = store.current()!;
    store.onFlowEvent({ ...flow('1'), currentOperation: { actionName: 'PUBLISH', actionStatus: 'STARTED', complete: false } });
    expect(source.calls).toHaveLength(1);

    store.onFlowEvent({ ...flow('2'), ...PUBLISH });
    expect(source.calls).toHaveLength(2);
    // A conversation that took the schema before the swap keeps it.
    const inFlight = store.current();
    source.answer(1, '2');
    await store.whenIdle();
    expect(inFlight).toBe(before);
    expect(before.versionId).toBe('1');
    expect(store.current()?.versionId).toBe('2');
    expect(store.refreshes).toBe(1);
    expect(lines.some((l) => l.level === 'info' && l.fields?.versionId === '2' && l.fields.previousVersionId === '1')).toBe(true);
  });

  it('ignores events that do not change the published version', async () => {
    const { source, store } = await loaded('1');
    store.onFlowEvent(flow('1'));
    store.onFlowEvent({ ...flow('1'), currentOperation: { actionName: 'SAVE', actionStatus: 'SUCCESS', complete: true } });
    store.onFlowEvent(null);
    store.onFlowEvent('garbage');
    await store.whenIdle();
    expect(source.calls).toHaveLength(1);
    expect(store.refreshes).toBe(0);
  });

  it('coalesces events during a refresh into one more fetch', async () => {
    const { source, store } = await loaded('1');
    store.onFlowEvent(flow('2'));
    store.onFlowEvent(flow('3'));
    store.onFlowEvent({ ...flow('3'), ...PUBLISH });
    store.onFlowEvent(flow('4'));
    expect(source.calls).toHaveLength(2);
    source.answer(1, '2');
    await settle();
    expect(source.calls).toHaveLength(3);
    expect(store.current()?.versionId).toBe('2');
    source.answer(2, '4');
    await store.whenIdle();
    expect(source.calls).toHaveLength(3);
    expect(store.current()?.versionId).toBe('4');
    expect(store.refreshes).toBe(2);
  });

  it('starts a new refresh for an event that arrives after the last one finished', async () => {
    const { source, store } = await loaded('1');
    store.onFlowEvent(flow('2'));
    source.answer(1, '2');
    await store.whenIdle();
    store.onFlowEvent(flow('3'));
    expect(source.calls).toHaveLength(3);
    source.answer(2, '3');
    await store.whenIdle();
    expect(store.current()?.versionId).toBe('3');
  });

  it('keeps the old schema when a refresh fails, logs a safe warning, and recovers later', async () => {
    const { source, store, lines } = await loaded('1');
    const before = store.current();
    store.onFlowEvent(flow('2'));
    // An SDK-style rejection that carries a token must never reach the log.
    source.calls[1]!.reject({ message: 'boom', headers: { Authorization: 'Bearer secret-token' } });
    await store.whenIdle();
    expect(store.current()).toBe(before);
    expect(store.failures).toBe(1);
    const warning = lines.find((l) => l.level === 'warn');
    expect(warning?.fields).toMatchObject({ versionId: '1', error: 'object' });
    expect(JSON.stringify(lines)).not.toContain('secret-token');

    store.onFlowEvent(flow('2'));
    source.calls[2]!.resolve({ versionId: '2', inputSchema: { type: 'object', properties: { 'Flow.a': { type: 'bogus' } } } });
    await store.whenIdle();
    expect(store.failures).toBe(2);
    expect(lines.filter((l) => l.level === 'warn').at(-1)?.fields).toMatchObject({ code: 'schema.invalid' });
    expect(store.current()).toBe(before);

    store.onFlowEvent(flow('2'));
    source.answer(3, '2');
    await store.whenIdle();
    expect(store.current()?.versionId).toBe('2');
    expect(store.refreshes).toBe(1);
  });

  it('keeps the same object when the refresh finds the version already in use', async () => {
    const { source, store } = await loaded('2');
    const before = store.current();
    store.onFlowEvent(flow('1')); // a late event about an older version
    source.answer(1, '2');
    await store.whenIdle();
    expect(store.current()).toBe(before);
    expect(store.refreshes).toBe(1);
  });

  it('does not let a slow initial load overwrite a newer refresh', async () => {
    const { source, store } = setup();
    const loading = store.load();
    store.onFlowEvent({ ...flow('2'), ...PUBLISH });
    expect(source.calls).toHaveLength(2);
    source.answer(1, '2');
    await store.whenIdle();
    expect(store.current()?.versionId).toBe('2');
    source.answer(0, '1');
    const result = await loading;
    expect(result.versionId).toBe('2');
    expect(store.current()?.versionId).toBe('2');
  });

  it('applies a refresh that finishes after a load that started earlier', async () => {
    const { source, store } = setup();
    const loading = store.load();
    store.onFlowEvent(flow('2'));
    source.answer(0, '1');
    await loading;
    expect(store.current()?.versionId).toBe('1');
    source.answer(1, '2');
    await store.whenIdle();
    expect(store.current()?.versionId).toBe('2');
  });
});
