/**
 * The benchmark firehose: pushes pre-serialised frames down one socket as fast as it drains.
 * Backpressure: frames are written until `bufferedAmount` passes a high-water mark, then the pump
 * waits for the send callback of the last one (called once it is flushed to the kernel).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/** What one pump achieved. */
export interface PumpResult {
  readonly sent: number;
  readonly ms: number;
}

/** Bytes queued in user space before the pump waits: enough to keep the kernel buffer full. */
export const FIREHOSE_HIGH_WATER_BYTES = 1024 * 1024;

const TEXT = { binary: false } as const;

/**
 * Sends `count` frames round-robin from `frames` (Buffers holding UTF-8 JSON, sent as text frames).
 * Resolves when the last frame is flushed, or early (with what was sent) when the socket closes.
 */
export function pumpFrames(ws: WebSocket, frames: readonly Buffer[], count: number, highWaterBytes = FIREHOSE_HIGH_WATER_BYTES): Promise<PumpResult> {
  const started = performance.now();
  return new Promise<PumpResult>((resolve) => {
    let sent = 0;
    let next = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      ws.off('close', finish);
      resolve({ sent, ms: performance.now() - started });
    };
    const onFlushed = (err?: Error): void => {
      if (err || sent >= count) finish();
      else fill();
    };
    const fill = (): void => {
      if (done) return;
      if (ws.readyState !== WebSocket.OPEN) {
        finish();
        return;
      }
      for (;;) {
        const frame = frames[next] as Buffer;
        next = next + 1 === frames.length ? 0 : next + 1;
        sent++;
        const pause = sent >= count || ws.bufferedAmount + frame.length >= highWaterBytes;
        ws.send(frame, TEXT, pause ? onFlushed : undefined);
        if (pause) return;
      }
    };
    ws.on('close', finish);
    if (count <= 0 || frames.length === 0) finish();
    else fill();
  });
}
