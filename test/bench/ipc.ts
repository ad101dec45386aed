/**
 * A tiny request/response protocol over the Node IPC channel, for the benchmark's child processes
 * (the sandbox, the memory probe). The parent forks a compiled module and calls its commands by
 * name; the child answers each with a result or an error message. Typed by a command map.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** A command map: command name -> its argument and result types. */
export type CommandMap = Record<string, { args: unknown; result: unknown }>;

/** The child's implementation of every command. */
export type Handlers<C extends CommandMap> = { [K in keyof C]: (args: C[K]['args']) => Promise<C[K]['result']> | C[K]['result'] };

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly args: unknown;
}

type Reply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** Parent side: a forked child that answers commands. */
export class ChildClient<C extends CommandMap> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;
  readonly exit: Promise<number | string>;

  private constructor(readonly child: ChildProcess, readonly name: string) {
    child.on('message', (msg: Reply) => {
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(`${name}: ${msg.error}`));
    });
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${code ?? signal ?? '?'})`));
        this.waiting.clear();
        resolve(code ?? signal ?? -1);
      });
    });
  }

  /** Forks `modulePath` (a compiled `.js`) with Node flags `execArgv`; its stderr is passed through. */
  static fork<C extends CommandMap>(modulePath: string, name: string, execArgv: readonly string[] = []): ChildClient<C> {
    const child = fork(modulePath, [], { execArgv: [...execArgv], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NO_PROXY: '127.0.0.1,localhost' } });
    return new ChildClient<C>(child, name);
  }

  /** Runs one command in the child. */
  request<K extends keyof C & string>(cmd: K, args: C[K]['args']): Promise<C[K]['result']> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<C[K]['result']>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: Request = { id, cmd, args };
      this.child.send(request);
    });
  }

  /** Ends the child: asks it to stop by closing IPC, then SIGKILL (by its pid) if it lingers. */
  async close(graceMs = 3_000): Promise<void> {
    if (this.exited) return;
    this.child.disconnect();
    const timer = setTimeout(() => {
      if (!this.exited && this.child.pid !== undefined) process.kill(this.child.pid, 'SIGKILL');
    }, graceMs);
    await this.exit;
    clearTimeout(timer);
  }
}

/**
 * Child side: answers requests with `handlers`; when the parent goes away (IPC closed), runs
 * `onDisconnect` and exits.
 */
export function serveCommands<C extends CommandMap>(handlers: Handlers<C>, onDisconnect: () => Promise<void>): void {
  const send = (reply: Reply): void => {
    if (process.connected) process.send?.(reply);
  };
  process.on('message', (msg: Request) => {
    const handler = (handlers as Record<string, ((args: unknown) => unknown) | undefined>)[msg.cmd];
    if (!handler) {
      send({ id: msg.id, ok: false, error: `unknown command ${msg.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.args))
      .then(
        (result) => { send({ id: msg.id, ok: true, result: result ?? null }); },
        (err: unknown) => { send({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }); },
      );
  });
  process.once('disconnect', () => {
    void onDisconnect().finally(() => process.exit(0));
  });
}
