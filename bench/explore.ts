/**
 * Explorer figures: per preset and variant, and for gfs2-dio-ring at
 * N = 3..6 under gfs2-5.15 and gfs2-5.18, the states, transitions, time,
 * states per second and peak heap, with the partial-order reduction the
 * explorer uses by default and, for comparison, without it. Figures only;
 * nothing is asserted. Each exploration is capped (BENCH_MAX_STATES states,
 * BENCH_BUDGET_MS each) so the bench ends on any machine.
 *
 *   npm run bench            (this, then the timeline bench)
 *   BENCH_MAX_STATES=2000000 npx tsx bench/explore.ts
 */
import { buildSetup } from '../src/scenarios/build.ts';
import { PRESETS } from '../src/scenarios/index.ts';
import { gfs2DioRing } from '../src/scenarios/ring.ts';
import type { Scenario } from '../src/scenarios/types.ts';
import { explore, type ExploreResult, type Reduction } from '../src/sim/explore/explore.ts';

const MAX_STATES = Number(process.env['BENCH_MAX_STATES'] ?? 300_000);
const BUDGET_MS = Number(process.env['BENCH_BUDGET_MS'] ?? 20_000);

interface Row {
  readonly result: ExploreResult;
  readonly perSecond: number;
}

function row(scenario: Scenario, variant: Scenario['variants'][number], label: string, reduction: Reduction): Row {
  let peak = process.memoryUsage().heapUsed;
  const result = explore(buildSetup(scenario), variant, {
    maxStates: MAX_STATES,
    timeBudgetMs: BUDGET_MS,
    reduction,
    now: () => performance.now(),
    progressEvery: 5000,
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      return undefined;
    },
  });
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const perSecond = result.elapsedMs > 0 ? Math.round((result.states / result.elapsedMs) * 1000) : 0;
  const how = result.complete ? 'all' : result.stoppedBy === 'time' ? 'timed out' : 'capped';
  const reduced = reduction === 'none' ? 'none' : result.reducedTasks > 0 ? 'local' : 'n/a';
  console.log(
    `${label.padEnd(24)} ${variant.padEnd(19)} ${reduced.padEnd(5)} ${String(result.states).padStart(8)} states (${how.padEnd(9)}) ${String(result.transitions).padStart(8)} transitions ${result.elapsedMs.toFixed(0).padStart(6)} ms ${String(perSecond).padStart(7)} states/s  peak heap ${(peak / 1048576).toFixed(0).padStart(4)} MiB`,
  );
  return { result, perSecond };
}

console.log(`explorer: breadth-first, hash-consed states; cap ${MAX_STATES.toLocaleString('en-US')} states or ${BUDGET_MS} ms each (BENCH_MAX_STATES, BENCH_BUDGET_MS)`);
console.log('reduction: local = local steps taken alone (the default), none = every interleaving, n/a = no task qualifies (truncate, punch or DAX)\n');

let slowestPreset = { label: '', ms: 0, complete: true };
for (const scenario of PRESETS) {
  for (const variant of scenario.variants) {
    const { result } = row(scenario, variant, scenario.id, 'local');
    if (result.elapsedMs > slowestPreset.ms || !result.complete) slowestPreset = { label: `${scenario.id} under ${variant}`, ms: result.elapsedMs, complete: result.complete && slowestPreset.complete };
  }
}

console.log('');
let bestRing = 0;
for (let n = 3; n <= 6; n++) {
  for (const variant of ['gfs2-5.15', 'gfs2-5.18'] as const) {
    for (const reduction of ['local', 'none'] as const) {
      const { perSecond } = row(gfs2DioRing(n), variant, `gfs2-dio-ring N=${n}`, reduction);
      bestRing = Math.max(bestRing, perSecond);
    }
  }
}

console.log('');
console.log(`target: every preset fully explored in under 1 s. Slowest: ${slowestPreset.label}, ${slowestPreset.ms.toFixed(0)} ms${slowestPreset.complete ? '' : ' (some preset did not finish)'}: ${slowestPreset.complete && slowestPreset.ms < 1000 ? 'met' : 'not met'}`);
console.log(`target: 1,000,000 distinct states per second on one core for the ring. Best: ${bestRing.toLocaleString('en-US')} states/s: ${bestRing >= 1_000_000 ? 'met' : 'not met'}`);
