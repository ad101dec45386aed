/**
 * A real `redis-server` (the Debian package) for tests: started on a free loopback port in a
 * temporary folder it owns, with persistence off, and stopped (or restarted on the same port) on
 * demand. Tests that need it use `redisTest` so that a machine without redis-server skips them
 * with a message, except under `CI=true`, where its absence fails the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

/** Whether `redis-server` can be run here (checked once). */
export const redisInstalled: boolean = spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * `true` when the Redis tests should be skipped (no redis-server, not CI); throws under CI=true
 * when redis-server is missing, so that the run fails instead of silently skipping.
 */
export function skipWithoutRedis(): boolean {
  if (redisInstalled) return false;
  if (process.env.CI === 'true') throw new Error('redis-server is not installed and CI=true: the Redis tests cannot run (.ci/run installs it)');
  console.warn('redis-server is not installed: skipping the Redis tests (apt-get install -y redis-server)');
  return true;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** A running (or stopped) redis-server owned by one test file. */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly extraArgs: readonly string[],
  ) {}

  /** `redis://127.0.0.1:PORT`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts a server on a free port; extra arguments such as `--requirepass x` are passed on. */
  static async start(extraArgs: readonly string[] = []): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
    // Another process may take the port between probing and binding: try a few ports.
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new RedisServer(await freePort(), dir, extraArgs);
      try {
        await server.resume();
        return server;
      } catch (err) {
        lastError = err;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error('could not start redis-server', { cause: lastError });
  }

  /** Starts the server again on the same port (after `pause`); its data is gone. */
  async resume(): Promise<void> {
    if (this.child) return;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, ...this.extraArgs];
    const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`redis-server did not start within 10 s:\n${output.slice(-2000)}`));
      }, 10_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}:\n${output.slice(-2000)}`));
      });
    });
    child.stdout.removeAllListeners('data');
    child.stderr.removeAllListeners('data');
    child.stdout.resume();
    child.stderr.resume();
    this.child = child;
  }

  /**
   * Stops the server and waits until it has exited: SIGKILL (default) is as abrupt as a crash;
   * SIGTERM lets a server started with persistence (`--appendonly yes`) save its data first.
   */
  async pause(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
    child.kill(signal);
    await exited;
  }

  /** Stops the server and removes its folder. */
  async stop(): Promise<void> {
    await this.pause();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
