/**
 * The process signals of a long-running command, taken over at the very start of the CLI (before
 * the Genesys SDK is imported and the config is read), so that no signal meets Node's default
 * action while the daemon starts:
 * - SIGTERM / SIGINT: the first aborts `stop` (start-up waits give up, a running daemon drains);
 *   a second one exits at once with 1.
 * - SIGHUP: handed to the reload handler; until one is set (start-up), it is remembered and
 *   delivered once the handler arrives. Several early SIGHUPs count as one.
 * - SIGUSR1: handed to the reopen handler (logrotate's signal: reopen the audit file), held the
 *   same way. Listening also keeps Node from opening its inspector on SIGUSR1.
 */

/** The part of `process` this module uses (a plain EventEmitter in tests). */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: () => void): unknown;
  off(event: NodeJS.Signals, listener: () => void): unknown;
}

export interface StopSignals {
  /** Aborted by the first SIGTERM or SIGINT. */
  readonly stop: AbortSignal;
  /** Resolves with the first stop signal's name. */
  readonly stopped: Promise<NodeJS.Signals>;
  /** Sets (or with `undefined` clears) the SIGHUP handler; delivers a SIGHUP that came before. */
  onHup(handler: (() => void) | undefined): void;
  /** Sets (or with `undefined` clears) the SIGUSR1 handler; delivers a SIGUSR1 that came before. */
  onUsr1(handler: (() => void) | undefined): void;
  /** Removes the listeners (tests). */
  dispose(): void;
}

/** Listens on `source` now; `hardExit` ends the process on a second stop signal. */
export function installStopSignals(source: SignalSource, hardExit: () => void): StopSignals {
  const abort = new AbortController();
  let resolveStopped: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    resolveStopped = resolve;
  });
  const hup = heldSignal();
  const usr1 = heldSignal();
  const onStop = (signal: NodeJS.Signals) => (): void => {
    if (abort.signal.aborted) {
      hardExit();
      return;
    }
    abort.abort(new Error(`stopped by ${signal}`));
    resolveStopped(signal);
  };
  const onTerm = onStop('SIGTERM');
  const onInt = onStop('SIGINT');
  source.on('SIGTERM', onTerm);
  source.on('SIGINT', onInt);
  source.on('SIGHUP', hup.deliver);
  source.on('SIGUSR1', usr1.deliver);
  return {
    stop: abort.signal,
    stopped,
    onHup: hup.setHandler,
    onUsr1: usr1.setHandler,
    dispose() {
      source.off('SIGTERM', onTerm);
      source.off('SIGINT', onInt);
      source.off('SIGHUP', hup.deliver);
      source.off('SIGUSR1', usr1.deliver);
    },
  };
}

/** A signal whose handler may come later: one that arrives first is held (several count as one). */
function heldSignal(): { deliver: () => void; setHandler: (handler: (() => void) | undefined) => void } {
  let handler: (() => void) | undefined;
  let pending = false;
  return {
    deliver: () => {
      if (handler) handler();
      else pending = true;
    },
    setHandler: (next) => {
      handler = next;
      if (next && pending) {
        pending = false;
        next();
      }
    },
  };
}

let installed: StopSignals | undefined;

/** The process-wide instance, installed on first use: call it first thing in long-running commands. */
export function processStopSignals(): StopSignals {
  installed ??= installStopSignals(process, () => process.exit(1));
  return installed;
}
