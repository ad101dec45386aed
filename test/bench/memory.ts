/**
 * Memory: the daemon's RSS after start-up and while a million snapshot frames over 200,000
 * conversations go through it (passes of the firehose, each with fresh conversation ids), measured
 * in a child process of its own after a full garbage collection. Bounded dedupe and caches show
 * as an RSS that levels off instead of growing with the count.
 */
import { fileURLToPath } from 'node:url';
import { ChildClient } from './ipc.js';
import type { MemoryCommands, MemorySample, SandboxCommands, SandboxInfo } from './protocol.js';
import { round } from './stats.js';

export interface MemoryResult {
  /** `real`: the CRM client against the fake CRM; `stub`: lookups answered at once. */
  readonly crm: 'real' | 'stub';
  readonly framesPerPass: number;
  readonly conversationsPerPass: number;
  readonly rssStartMb: number;
  readonly rssAfterMb: number;
  /** Growth over the first and the second half of the frames (the dedupe is full at half-time). */
  readonly rssGrowthFirstHalfMb: number;
  readonly rssGrowthSecondHalfMb: number;
  readonly heapGrowthSecondHalfMb: number;
  /** Heap kept per conversation over the second half: zero when everything is bounded. */
  readonly heapBytesPerConversationSecondHalf: number;
  readonly samples: readonly (MemorySample & { readonly conversations: number })[];
}

export async function benchMemory(
  sandbox: ChildClient<SandboxCommands>,
  info: SandboxInfo,
  opts: { framesPerPass: number; conversationsPerPass: number; passes: number; firstPass: number; crm: 'real' | 'stub' },
): Promise<MemoryResult> {
  const child = ChildClient.fork<MemoryCommands>(fileURLToPath(new URL('./memory-child.js', import.meta.url)), 'memory-child', ['--expose-gc']);
  try {
    const { channelId } = await child.request('start', { sandboxUrl: info.url, crmUrl: info.crmUrl, stubCrm: opts.crm === 'stub' });
    const start = { ...(await child.request('sample', { frames: 0, settleMs: 0 })), conversations: 0 };
    const samples = [start];
    for (let p = 0; p < opts.passes; p++) {
      await sandbox.request('firehose', { channelId, pass: opts.firstPass + p });
      const frames = (p + 1) * opts.framesPerPass;
      samples.push({ ...(await child.request('sample', { frames, settleMs: 15_000 })), conversations: (p + 1) * opts.conversationsPerPass });
    }
    const at = (i: number): MemorySample & { conversations: number } => samples[i] ?? start;
    const mid = at(Math.floor(opts.passes / 2));
    const first = at(0);
    const last = at(samples.length - 1);
    const heapGrowth = last.heapUsedMb - mid.heapUsedMb;
    return {
      crm: opts.crm,
      framesPerPass: opts.framesPerPass,
      conversationsPerPass: opts.conversationsPerPass,
      rssStartMb: first.rssMb,
      rssAfterMb: last.rssMb,
      rssGrowthFirstHalfMb: round(mid.rssMb - first.rssMb, 1),
      rssGrowthSecondHalfMb: round(last.rssMb - mid.rssMb, 1),
      heapGrowthSecondHalfMb: round(heapGrowth, 1),
      heapBytesPerConversationSecondHalf: Math.round((heapGrowth * 1_048_576) / Math.max(1, last.conversations - mid.conversations)),
      samples,
    };
  } finally {
    await child.close();
  }
}

/** The soak's figures: RSS at the end, and its growth over the last fifth of the frames. */
export interface SoakResult extends MemoryResult {
  readonly rssSoakEndMb: number;
  /** RSS growth over the last fifth of the run: under 10 MB when memory levels off. */
  readonly rssSoakLastFifthGrowthMb: number;
}

/** Adds the soak figures to a memory run (RSS sampled after every pass). */
export function soakFigures(result: MemoryResult): SoakResult {
  const samples = result.samples;
  const last = samples.at(-1);
  const fifth = samples[Math.floor(((samples.length - 1) * 4) / 5)];
  return {
    ...result,
    rssSoakEndMb: last?.rssMb ?? 0,
    rssSoakLastFifthGrowthMb: round((last?.rssMb ?? 0) - (fifth?.rssMb ?? 0), 1),
  };
}
