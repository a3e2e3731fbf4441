// Summarises V8 CPU profiles (`node --cpu-prof`): self time by function and by package/file, so
// docs/performance.md can say where the time goes. Several profiles (one per process) are summed.
//   node --import tsx bench/profile-summary.ts DIR_OR_FILE... [--top 25]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: a package, a source folder of this project, node itself, or V8. */
function owner(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  const src = /\/(src|bench)\/(.+)$/.exec(url);
  if (src) return `${src[1]}/${src[2]!.split('/').slice(0, -1).join('/') || '.'}/${src[2]!.split('/').pop()}`;
  return url;
}

/** A span of the monotonic clock (µs) to keep samples from; written by e2e-webhook.ts as windows.json. */
export interface Window {
  label: string;
  from: number;
  to: number;
}

export function summarise(files: string[], top = 25, window?: Window): string {
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  let wall = 0;
  for (const file of files) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    wall += (p.endTime - p.startTime) / 1000;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    let at = p.startTime;
    if (window) wall -= (p.endTime - p.startTime) / 1000 - (Math.min(p.endTime, window.to) - Math.max(p.startTime, window.from)) / 1000;
    for (let i = 0; i < p.samples.length; i++) {
      at += p.timeDeltas[i] ?? 0;
      if (window && (at < window.from || at > window.to)) continue;
      const n = nodes.get(p.samples[i]!)!;
      const dt = (p.timeDeltas[i] ?? 0) / 1000;
      const { functionName, url, lineNumber } = n.callFrame;
      if (functionName === '(idle)') continue;
      total += dt;
      const fn = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt);
      const o = owner(url, functionName);
      byOwner.set(o, (byOwner.get(o) ?? 0) + dt);
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `| ${(v).toFixed(0)} | ${((100 * v) / total).toFixed(1)} % | \`${k}\` |`)
      .join('\n');
  return (
    `${files.length} profile(s), ${(wall / 1000).toFixed(1)} s of wall time, ${(total / 1000).toFixed(2)} s sampled outside idle (wall time between samples, so on a loaded machine it includes time the process waited for a CPU)\n\n` +
    `Self time by function (top ${top}):\n\n| ms | share | function |\n|---|---|---|\n${rows(byFunction)}\n\n` +
    `Self time by package / file (top ${top}):\n\n| ms | share | where |\n|---|---|---|\n${rows(byOwner)}\n`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, window: { type: 'string' } } });
  const files = positionals.flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(p, f)) : [p]));
  // --window LABEL: only the samples of that phase (windows.json beside the profiles).
  let window: Window | undefined;
  if (values.window) {
    const dir = statSync(positionals[0]!).isDirectory() ? positionals[0]! : join(positionals[0]!, '..');
    window = (JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as Window[]).find((w) => w.label === values.window);
    if (!window) throw new Error(`no window "${values.window}" in ${dir}/windows.json`);
  }
  process.stdout.write(summarise(files, Number(values.top), window));
}
