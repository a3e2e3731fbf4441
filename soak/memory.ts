import type { Http } from './http.js';

export interface MemorySample {
  atMs: number;
  rss: number;
  heap: number;
}

export interface MemoryVerdict {
  process: number;
  samples: number;
  rssStart: number;
  rssEnd: number;
  heapStart: number;
  heapEnd: number;
  /** Median of the last third over the median of the first third. */
  rssGrowth: number;
  heapGrowth: number;
  flat: boolean | null;
}

const metric = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};

/** RSS and used heap of every process, read from its own /metrics (prom-client's process metrics). */
export class MemoryWatch {
  readonly samples: MemorySample[][];

  constructor(private readonly http: Http) {
    this.samples = http.bases.map(() => []);
  }

  async sample(atMs: number): Promise<void> {
    await Promise.all(
      this.http.bases.map(async (_, i) => {
        try {
          const r = await this.http.call(i, 'GET', '/metrics');
          const text = String(r.body);
          const rss = metric(text, 'scan2food_process_resident_memory_bytes');
          const heap = metric(text, 'scan2food_nodejs_heap_size_used_bytes');
          if (rss !== undefined && heap !== undefined) this.samples[i]!.push({ atMs, rss, heap });
        } catch {
          // a process that does not answer is reported by the liveness check
        }
      }),
    );
  }

  latest(i: number): MemorySample | undefined {
    return this.samples[i]!.at(-1);
  }

  /**
   * Flat means: the median of the last third of the samples is at most `margin` above the median
   * of the first third, for RSS and for used heap. Medians, because the heap saws up and down
   * with every collection. Samples of the first `warmupMs` are left out (code is compiled and
   * pools fill while load ramps up). Runs with fewer than `minSamples` are reported but not judged.
   */
  verdicts(margin: number, minSamples: number, warmupMs: number): MemoryVerdict[] {
    return this.samples.map((all, i) => {
      const s = all.filter((m) => m.atMs >= warmupMs);
      const third = Math.max(1, Math.floor(s.length / 3));
      const first = s.slice(0, third);
      const last = s.slice(-third);
      const growth = (pick: (m: MemorySample) => number) => median(last.map(pick)) / Math.max(1, median(first.map(pick))) - 1;
      const rssGrowth = growth((m) => m.rss);
      const heapGrowth = growth((m) => m.heap);
      return {
        process: i + 1,
        samples: s.length,
        rssStart: all[0]?.rss ?? 0,
        rssEnd: all.at(-1)?.rss ?? 0,
        heapStart: all[0]?.heap ?? 0,
        heapEnd: all.at(-1)?.heap ?? 0,
        rssGrowth,
        heapGrowth,
        flat: s.length < minSamples ? null : rssGrowth <= margin && heapGrowth <= margin,
      };
    });
  }
}
