// Where the time goes in a V8 CPU profile (.cpuprofile from node --cpu-prof): self time by
// owner (Sluice, dd-trace, the app, its packages, Node itself, GC) and the busiest functions.
// Usage: node bench/overhead/profile-summary.mjs <file.cpuprofile> [top N]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

function owner(url, functionName) {
  if (!url) {
    if (functionName === '(garbage collector)') return 'gc';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'program (native, outside JS)';
    return 'native';
  }
  if (url.includes('/packages/sluice/') || url.includes('/sluice-snapshot/')) return 'sluice';
  if (/node_modules\/(dd-trace|@datadog)\//.test(url)) return 'dd-trace';
  if (url.includes('/overhead/apps/')) return 'app';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  if (url.startsWith('node:')) return 'node';
  return 'other';
}

export function summarise(profile, top = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (deltas[i] ?? 0));
  }
  const owners = new Map();
  const functions = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const { callFrame } = byId.get(id);
    const who = owner(callFrame.url, callFrame.functionName);
    if (who === 'idle') continue;
    total += us;
    owners.set(who, (owners.get(who) ?? 0) + us);
    const file = callFrame.url.replace(/^.*\/(node_modules|packages|overhead|sluice-snapshot)\//, '$1/');
    const key = `${callFrame.functionName || '(anonymous)'} ${file}:${callFrame.lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const lines = [`busy ${(total / 1e6).toFixed(2)} s (idle excluded)`, 'self time by owner:'];
  let rest = 0;
  for (const [who, us] of [...owners].sort((a, b) => b[1] - a[1])) {
    if (us / total >= 0.01) lines.push(`  ${pct(us)}  ${who}`);
    else rest += us;
  }
  if (rest > 0) lines.push(`  ${pct(rest)}  (each under 1%)`);
  lines.push(`top ${top} functions by self time:`);
  for (const [fn, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`  ${pct(us)}  ${fn}`);
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node profile-summary.mjs <file.cpuprofile> [top N]');
    process.exit(2);
  }
  console.log(summarise(JSON.parse(readFileSync(file, 'utf8')), Number(process.argv[3]) || 15));
}
