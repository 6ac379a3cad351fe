/**
 * Explorer figures: per preset and variant, and for gfs2-dio-ring at
 * N = 3..6, the states, time, states per second and peak heap. Figures only;
 * nothing is asserted. The ring is capped (MAX_STATES) because the explorer
 * does no partial-order reduction yet.
 */
import { buildSetup } from '../src/scenarios/build.ts';
import { PRESETS } from '../src/scenarios/index.ts';
import { gfs2DioRing } from '../src/scenarios/ring.ts';
import type { Scenario } from '../src/scenarios/types.ts';
import { explore } from '../src/sim/explore/explore.ts';

const MAX_STATES = Number(process.env['BENCH_MAX_STATES'] ?? 200_000);

function row(scenario: Scenario, variant: Scenario['variants'][number], label: string): void {
  let peak = process.memoryUsage().heapUsed;
  const result = explore(buildSetup(scenario), variant, {
    maxStates: MAX_STATES,
    now: () => performance.now(),
    progressEvery: 5000,
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      return undefined;
    },
  });
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const perSecond = result.elapsedMs > 0 ? Math.round((result.states / result.elapsedMs) * 1000) : 0;
  console.log(
    `${label.padEnd(26)} ${variant.padEnd(20)} ${String(result.states).padStart(8)} states ${result.complete ? '(all)    ' : '(capped) '} ${result.elapsedMs.toFixed(0).padStart(7)} ms ${String(perSecond).padStart(8)} states/s  peak heap ${(peak / 1048576).toFixed(0)} MiB`,
  );
}

console.log(`explorer: breadth-first, no reduction, cap ${MAX_STATES} states (BENCH_MAX_STATES)`);
for (const scenario of PRESETS) for (const variant of scenario.variants) row(scenario, variant, scenario.id);
for (let n = 3; n <= 6; n++) for (const variant of ['gfs2-5.15', 'gfs2-5.18'] as const) row(gfs2DioRing(n), variant, `gfs2-dio-ring N=${n}`);
