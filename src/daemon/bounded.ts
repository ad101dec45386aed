/**
 * Waits with an end: start-up waits give way to a stop signal, and stop steps to a deadline,
 * so that no answer Genesys, the CRM or the webhook withholds can hold the process.
 */
import { EnricherError } from '../errors.js';

/** A start-up wait given up because the daemon was told to stop. */
export class StartupAbortedError extends EnricherError {
  constructor() {
    super('daemon.stopped', 'stopped during start-up');
  }
}

/**
 * Resolves or rejects like `work`, unless `signal` aborts first: then rejects at once with
 * StartupAbortedError (also when it was aborted already). `work` is left to settle unobserved.
 */
export async function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    throw new StartupAbortedError();
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      reject(new StartupAbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    work.catch(() => undefined);
  }
}

/** Waits for `work` at most `ms`: true when it settled in time (a rejection counts as settled). */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, Math.max(0, ms));
  });
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
