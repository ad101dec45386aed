/**
 * Holds the compiled input schema of the configured flow and swaps it when the flow is published
 * again. Each conversation reads `current()` once and keeps that object, so a swap never changes the
 * rules half-way through an enrichment.
 */
import { EnricherError } from '../errors.js';
import type { Logger } from '../log.js';
import { compileSchema, SchemaError, type CompiledSchema } from './compile.js';
import { flowRefreshCause } from './flow-event.js';

/** Where the flow's published input schema comes from (the Genesys API in production, a fake in tests). */
export interface SchemaSource {
  /** Fetch the flow's currently published input schema. */
  loadPublished(): Promise<{ versionId: string; inputSchema: unknown }>;
}

/** Options of {@link SchemaStore}. */
export interface SchemaStoreOptions {
  /** Longest attribute value written (see `compileSchema`). */
  maxValueLength: number;
  /** A schema from the config file: used instead of the source, with version id `inline`; flow events are then ignored. */
  inline?: unknown;
}

/** Dependencies of {@link SchemaStore}. */
export interface SchemaStoreDeps {
  /** Required unless an inline schema is configured. */
  source?: SchemaSource;
  logger: Logger;
  /** Told each time a different schema version goes into use (first load, republish). */
  onInstalled?: (schema: CompiledSchema) => void;
}

/** The version id given to a schema from the config file. */
export const INLINE_VERSION_ID = 'inline';

/** Log fields for an error that is safe to log: our own errors carry no secrets, anything else only its kind. */
function describe(err: unknown): Record<string, unknown> {
  if (err instanceof EnricherError) return { code: err.code, error: err.message };
  return { error: err instanceof Error ? err.name : typeof err };
}

/**
 * The current compiled schema, with refresh on flow change events.
 *
 * Refreshes are single-flight: events that arrive while one runs are coalesced into exactly one more
 * run afterwards (the running fetch may have started before the publish finished). Every fetch takes
 * a sequence number and a result older than the one in place is discarded, so `load()` racing a
 * refresh cannot put an older schema back.
 */
export class SchemaStore {
  readonly #opts: SchemaStoreOptions;
  readonly #deps: SchemaStoreDeps;
  #current: CompiledSchema | undefined;
  #started = 0;
  #applied = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #refreshes = 0;
  #failures = 0;

  constructor(opts: SchemaStoreOptions, deps: SchemaStoreDeps) {
    this.#opts = opts;
    this.#deps = { ...deps, logger: deps.logger.child({ component: 'schema' }) };
  }

  /** Successful refreshes triggered by flow events (a refresh that finds the same version counts too). */
  get refreshes(): number {
    return this.#refreshes;
  }

  /** Refreshes that failed (fetch or compile); the previous schema stayed in place. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Loads the schema: the inline one (version `inline`) if configured, else the published one from the
   * source. Rejects with the source's error or a {@link SchemaError}; the caller decides whether that
   * is fatal. Can be called again (e.g. on reload).
   */
  async load(): Promise<CompiledSchema> {
    const { inline, maxValueLength } = this.#opts;
    if (inline !== undefined) {
      const compiled = compileSchema(inline, { versionId: INLINE_VERSION_ID, maxValueLength });
      this.#install(++this.#started, compiled);
      return compiled;
    }
    const compiled = await this.#fetch();
    return this.#current ?? compiled;
  }

  /** The schema to use for a conversation starting now; `undefined` before the first successful load. */
  current(): CompiledSchema | undefined {
    return this.#current;
  }

  /**
   * Takes the body of a `v2.flows.{flowId}` frame and starts a refresh when it says the published
   * version may have changed (see `flowRefreshCause`). Never throws; failures are logged and counted.
   */
  onFlowEvent(body: unknown): void {
    if (this.#opts.inline !== undefined || this.#deps.source === undefined) return;
    const cause = flowRefreshCause(body, this.#current?.versionId);
    if (cause === undefined) return;
    this.#deps.logger.debug('flow changed, refreshing its input schema', { cause });
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#refreshLoop();
  }

  /** Resolves once no refresh is running (for shutdown and tests). */
  async whenIdle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #refreshLoop(): Promise<void> {
    do {
      try {
        await this.#fetch();
        this.#refreshes++;
      } catch (err) {
        this.#failures++;
        this.#deps.logger.warn('input schema refresh failed, keeping the previous schema', {
          versionId: this.#current?.versionId,
          ...describe(err),
        });
      }
    } while (this.#takeAgain());
    // Cleared in the same turn as the last check of #again, so no event can fall in between.
    this.#running = undefined;
  }

  #takeAgain(): boolean {
    const again = this.#again;
    this.#again = false;
    return again;
  }

  async #fetch(): Promise<CompiledSchema> {
    const { source } = this.#deps;
    if (source === undefined) throw new SchemaError('no inline schema and no flow to load one from');
    const seq = ++this.#started;
    const published = await source.loadPublished();
    const versionId: unknown = published.versionId;
    if (typeof versionId !== 'string' || versionId.length === 0) {
      throw new SchemaError('the published flow version has no id');
    }
    const compiled = compileSchema(published.inputSchema, { versionId, maxValueLength: this.#opts.maxValueLength });
    this.#install(seq, compiled);
    return compiled;
  }

  /** Puts `compiled` in place unless a fetch started later already did; the same version keeps the old object. */
  #install(seq: number, compiled: CompiledSchema): void {
    if (seq < this.#applied) return;
    this.#applied = seq;
    const previous = this.#current;
    if (previous?.versionId === compiled.versionId) return;
    this.#current = compiled;
    this.#deps.logger.info('input schema in use', {
      versionId: compiled.versionId,
      previousVersionId: previous?.versionId,
      fields: compiled.fields.size,
      unsupported: [...compiled.unsupported],
    });
    this.#deps.onInstalled?.(compiled);
  }
}
