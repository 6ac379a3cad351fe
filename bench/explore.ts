/**
 * Explorer figures beside Spin's, in the same run: per preset and variant,
 * and for gfs2-dio-ring at N = 3..8 under gfs2-5.15 and gfs2-5.18, our time
 * to verdict, states, states per second and peak heap, then Spin's on our own
 * Promela export (src/export/promela.ts) of the same scenario, and the ratios
 * ours / Spin. Figures only; nothing is asserted.
 *
 * Times are CPU times (user + system, ms): this machine is shared, and under
 * load wall-clock times say more about the neighbours than about either
 * tool. Ours is this process's CPU over the exploration; Spin's is the CPU
 * of its pan processes (from /proc), apart from the CPU of `spin -a` and the
 * C compiler ("build"), which is printed on its own and counted only in the
 * second ratio. Spin's verdict is at most two searches (src/cli/spin.ts):
 * every error, then the other kind after an error.
 *
 * Every run is capped so the bench ends on any machine: ours at
 * BENCH_MAX_STATES states or BENCH_BUDGET_MS ms of CPU, each pan run at
 * BENCH_SPIN_MS ms of CPU, -DMEMLIM=BENCH_SPIN_MB and depth
 * BENCH_SPIN_DEPTH; the ring of 3, the headline comparison, gets
 * BENCH_RING3_MS for both. A capped run says "did not finish (limit)".
 * Defaults keep the whole bench near ten minutes of CPU (longer in wall
 * time on a loaded machine); BENCH_RING_MAX (up to 8, the default) and bigger budgets go further,
 * BENCH_ONLY=<regex> runs the matching rows only, BENCH_SPIN=0 leaves Spin
 * out, BENCH_FULL=1 adds the unreduced ring rows for N > 3.
 *
 * Each row says which reductions applied (local: the partial-order
 * reduction; sym k: the quotient by a symmetry group of order k,
 * sim/explore/symmetry.ts). Presets with symmetry and the rings of 3 and 4
 * get a second row without it ("no sym"), for the figures before and after.
 * For a ring that does not finish, "deadlock+?" means the deadlock was found
 * within the budget (breadth-first, so at its shortest depth) before the
 * search stopped: that is the "found" of the targets, as Spin's default
 * stops at its first error.
 *
 *   npm run bench            (this, then the timeline bench)
 *   BENCH_ONLY='ring N=3' BENCH_BUDGET_MS=120000 npx tsx bench/explore.ts
 */
import { buildPan, removeBuild, spinVerdict, type SpinLimits, type SpinVerdict } from '../src/cli/spin.ts';
import { promelaOf } from '../src/export/promela.ts';
import type { VariantId } from '../src/kernel/variants.ts';
import { buildSetup } from '../src/scenarios/build.ts';
import { PRESETS } from '../src/scenarios/index.ts';
import { MAX_RING_TASKS, gfs2DioRing } from '../src/scenarios/ring.ts';
import type { Scenario } from '../src/scenarios/types.ts';
import { explore, type ExploreResult, type Reduction } from '../src/sim/explore/explore.ts';
import { symmetryOf } from '../src/sim/explore/symmetry.ts';
import { initialSystem } from '../src/sim/system.ts';

const env = (name: string, fallback: number): number => {
  const n = Number(process.env[name] ?? fallback);
  return Number.isFinite(n) ? n : fallback;
};
const MAX_STATES = env('BENCH_MAX_STATES', 2_000_000);
const BUDGET_MS = env('BENCH_BUDGET_MS', 20_000);
const SPIN = process.env['BENCH_SPIN'] !== '0';
const SPIN_LIMITS: SpinLimits = { timeMs: env('BENCH_SPIN_MS', 20_000), memMb: env('BENCH_SPIN_MB', 1024), depth: env('BENCH_SPIN_DEPTH', 1_000_000) };
const RING3_MS = env('BENCH_RING3_MS', 120_000);
const RING_MAX = Math.min(MAX_RING_TASKS, env('BENCH_RING_MAX', 8));
const FULL = process.env['BENCH_FULL'] === '1';
const ONLY = process.env['BENCH_ONLY'] === undefined ? null : new RegExp(process.env['BENCH_ONLY']);

interface Verdict {
  /** null: not decided (the search stopped at a limit without finding one). */
  readonly deadlock: boolean | null;
  readonly bug: boolean | null;
}

function verdictWords(v: Verdict): string {
  const found = [...(v.deadlock === true ? ['deadlock'] : []), ...(v.bug === true ? ['BUG'] : [])];
  const open = v.deadlock === null || v.bug === null;
  if (found.length > 0) return found.join('+') + (open ? '+?' : '');
  return open ? '?' : 'neither';
}

function agreement(a: Verdict, b: Verdict): string {
  const same = (x: boolean | null, y: boolean | null) => (x === null || y === null ? null : x === y);
  const d = same(a.deadlock, b.deadlock);
  const g = same(a.bug, b.bug);
  if (d === false || g === false) return 'DISAGREE';
  return d === null || g === null ? '' : 'agree';
}

function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(0)} ms`;
}

function rate(states: number, cpuMs: number): string {
  return cpuMs > 0 ? `${Math.round((states / cpuMs) * 1000).toLocaleString('en-US')}/s` : '-';
}

interface Ours {
  readonly result: ExploreResult;
  readonly cpuMs: number;
  readonly peakMb: number;
  readonly verdict: Verdict;
}

/** This process's CPU time, in ms: the explorer's clock here, so that its budget is CPU time as Spin's is. */
function cpuNow(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function ours(scenario: Scenario, variant: VariantId, reduction: Reduction, symmetry: boolean, budgetMs: number): Ours {
  let peak = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const result = explore(buildSetup(scenario), variant, {
    maxStates: MAX_STATES,
    timeBudgetMs: budgetMs,
    reduction,
    symmetry,
    now: cpuNow,
    progressEvery: 5000,
    onProgress: () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      return undefined;
    },
  });
  const cpu = process.cpuUsage(cpu0);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const found = (kind: 'deadlock' | 'bug') => (result.outcomes[kind] !== undefined ? true : result.complete ? false : null);
  return { result, cpuMs: (cpu.user + cpu.system) / 1000, peakMb: peak / 1048576, verdict: { deadlock: found('deadlock'), bug: found('bug') } };
}

interface Spin {
  readonly verdict: SpinVerdict;
  readonly searchCpuMs: number;
  readonly states: number;
  readonly memoryMb: number;
  readonly limit: string | null;
}

/** Spin's verdict on our export, or why there is none. */
function spin(scenario: Scenario, variant: VariantId, optimize: boolean, limits: SpinLimits): Spin | string {
  if (!SPIN) return 'left out (BENCH_SPIN=0)';
  const model = promelaOf(scenario, variant);
  if (!model.ok) return `no export: ${model.message.split(':')[0] ?? ''}`;
  const build = buildPan(model.model, limits, { optimize });
  try {
    const verdict = spinVerdict(build, limits);
    const limit = verdict.searches.find((s) => s.limit !== null)?.limit ?? null;
    return {
      verdict,
      searchCpuMs: verdict.searches.reduce((n, s) => n + s.cpuMs, 0),
      states: Math.max(...verdict.searches.map((s) => s.states)),
      memoryMb: Math.max(...verdict.searches.map((s) => s.memoryMb)),
      limit,
    };
  } finally {
    removeBuild(build);
  }
}

interface Row {
  readonly label: string;
  readonly ours: Ours;
  readonly spin: Spin | string;
}

function print(row: Row): void {
  const o = row.ours;
  const r = o.result;
  const how = r.complete ? '' : ` did not finish (${r.stoppedBy === 'time' ? 'time' : r.stoppedBy === 'max-states' ? 'states' : (r.stoppedBy ?? '')} limit)`;
  const applied = [...(r.reducedTasks > 0 ? [r.reduction] : []), ...(r.symmetry.order > 1 ? [`sym ${r.symmetry.order}`] : [])].join('+') || 'none';
  const left = `${row.label.padEnd(44)} [${applied}] ours ${verdictWords(o.verdict).padEnd(9)} ${String(r.states).padStart(8)} st ${ms(o.cpuMs).padStart(8)} ${rate(r.states, o.cpuMs).padStart(10)} heap ${o.peakMb.toFixed(0).padStart(4)} MiB${how}`;
  console.log(left);
  const s = row.spin;
  if (typeof s === 'string') {
    console.log(`${''.padEnd(44)} spin ${s}`);
    return;
  }
  const first = s.verdict.searches[0];
  const searchRate = first === undefined ? '-' : rate(first.states, first.cpuMs);
  const spinHow = s.limit === null ? '' : ` did not finish (${s.limit} limit)`;
  const ratio = (x: number) => (x > 0 ? (o.cpuMs / x).toFixed(2) : '-');
  const agree = agreement(o.verdict, s.verdict);
  console.log(
    `${''.padEnd(44)} spin ${verdictWords(s.verdict).padEnd(9)} ${String(s.states).padStart(8)} st ${ms(s.searchCpuMs).padStart(8)} ${searchRate.padStart(10)} mem  ${s.memoryMb.toFixed(0).padStart(4)} MB  build ${ms(s.verdict.build.cpuMs)}${spinHow}`,
  );
  if (s.limit !== null || !r.complete) {
    // No time to verdict on one side: only the speeds compare.
    const oursRate = o.cpuMs > 0 ? r.states / o.cpuMs : 0;
    const spinRate = first !== undefined && first.cpuMs > 0 ? first.states / first.cpuMs : 0;
    console.log(`${''.padEnd(44)} ours/spin: no time to verdict on ${!r.complete && s.limit !== null ? 'either side' : r.complete ? "Spin's side" : 'our side'}; states/s ${spinRate > 0 ? (oursRate / spinRate).toFixed(3) : '-'}${agree === '' ? '' : `; verdicts ${agree}`}`);
    return;
  }
  console.log(`${''.padEnd(44)} ours/spin: search ${ratio(s.searchCpuMs)}, with build ${ratio(s.searchCpuMs + s.verdict.build.cpuMs)}${agree === '' ? '' : `; verdicts ${agree}`}`);
}

function bench(label: string, scenario: Scenario, variant: VariantId, reduction: Reduction, optimize: boolean, budgetMs = BUDGET_MS, withSpin = true, symmetry = true): Row | null {
  if (ONLY !== null && !ONLY.test(label)) return null;
  const row: Row = { label, ours: ours(scenario, variant, reduction, symmetry, budgetMs), spin: withSpin ? spin(scenario, variant, optimize, { ...SPIN_LIMITS, timeMs: budgetMs === BUDGET_MS ? SPIN_LIMITS.timeMs : budgetMs }) : 'as in the row above' };
  print(row);
  return row;
}

console.log(`Faultline explorer (breadth-first, hash-consed; capped at ${MAX_STATES.toLocaleString('en-US')} states or ${ms(BUDGET_MS)} CPU: BENCH_MAX_STATES, BENCH_BUDGET_MS)`);
console.log(`beside Spin on the Promela export (-DSAFETY; each pan run capped at ${ms(SPIN_LIMITS.timeMs)} CPU, -DMEMLIM=${SPIN_LIMITS.memMb}, -m${SPIN_LIMITS.depth}: BENCH_SPIN_MS, BENCH_SPIN_MB, BENCH_SPIN_DEPTH)`);
console.log(`the ring of 3: ${ms(RING3_MS)} CPU for each (BENCH_RING3_MS)`);
console.log('times are CPU times; st = states (ours: distinct states; Spin: states stored by its largest search); the rate is states per CPU second (Spin: its first search)');
console.log('ratio < 1: we reach the verdict in less time than Spin. [footprint] = the partial-order reduction the explorer uses by default (reduce.ts: local steps and steps no other task may touch), [local] = its local rule alone (the default before issue 18 step 3), [sym k] = symmetry of order k (on by default), [none] = every interleaving\n');

/** The same search under another reduction, for the before/after figures: states and CPU only. */
function besides(label: string, scenario: Scenario, variant: VariantId, reduction: Reduction, symmetry: boolean, budgetMs = BUDGET_MS): void {
  if (ONLY !== null && !ONLY.test(label)) return;
  const o = ours(scenario, variant, reduction, symmetry, budgetMs);
  const how = o.result.complete ? '' : ` did not finish (${o.result.stoppedBy ?? ''} limit)`;
  console.log(`${''.padEnd(44)} ${reduction.padEnd(9)} ${symmetry ? 'sym' : 'no sym'} ${verdictWords(o.verdict).padEnd(9)} ${String(o.result.states).padStart(8)} st ${ms(o.cpuMs).padStart(8)}${how}`);
}

const rows: Row[] = [];
for (const scenario of PRESETS) {
  for (const variant of scenario.variants) {
    const row = bench(`${scenario.id} ${variant}`, scenario, variant, 'footprint', false);
    if (row !== null) rows.push(row);
    if (symmetryOf(initialSystem(buildSetup(scenario), variant)).group.length > 1) bench(`${scenario.id} ${variant} no sym`, scenario, variant, 'footprint', false, BUDGET_MS, false, false);
    besides(`${scenario.id} ${variant}`, scenario, variant, 'local', false);
  }
}

console.log('');
const ringRows: { n: number; variant: VariantId; row: Row }[] = [];
for (let n = 3; n <= RING_MAX; n++) {
  for (const variant of ['gfs2-5.15', 'gfs2-5.18'] as const) {
    const budget = n === 3 ? RING3_MS : BUDGET_MS;
    const row = bench(`gfs2-dio-ring N=${n} ${variant} footprint`, gfs2DioRing(n), variant, 'footprint', true, budget);
    if (row !== null) ringRows.push({ n, variant, row });
    if (n <= 4) bench(`gfs2-dio-ring N=${n} ${variant} footprint no sym`, gfs2DioRing(n), variant, 'footprint', true, budget, false, false);
    if (n === 3) besides(`gfs2-dio-ring N=${n} ${variant} local`, gfs2DioRing(n), variant, 'local', false, budget);
    if (n === 3 || FULL) bench(`gfs2-dio-ring N=${n} ${variant} none`, gfs2DioRing(n), variant, 'none', true, budget, false, false);
  }
}

console.log('\nTargets (issue 18), by the figures above:');
const pageRows = rows.filter((r) => r.ours.result.complete);
const slowest = rows.reduce<Row | null>((a, r) => (a === null || r.ours.cpuMs > a.ours.cpuMs || !r.ours.result.complete ? r : a), null);
if (slowest !== null) {
  const all = pageRows.length === rows.length;
  console.log(`- every preset and variant explored fully in under 1 s: slowest ${slowest.label}, ${ms(slowest.ours.cpuMs)}${all ? '' : ' (some did not finish)'}: ${all && slowest.ours.cpuMs < 1000 ? 'met' : 'not met'}`);
}
for (const { n, variant, row } of ringRows) {
  const s = row.spin;
  if (typeof s === 'string') continue;
  const finished = s.limit === null;
  const ratio = s.searchCpuMs > 0 ? row.ours.cpuMs / s.searchCpuMs : Infinity;
  const oursDone = row.ours.result.complete;
  const what = !finished ? 'Spin did not finish' : !oursDone ? 'ours did not finish' : `ratio ${ratio.toFixed(2)}`;
  console.log(`- ring N=${n} under ${variant}: time to verdict at most Spin's (ratio <= 1.0): ${what}: ${finished && oursDone && ratio <= 1 ? 'met' : finished ? 'not met' : 'not measured'}`);
}
const n4 = ringRows.find((r) => r.n === 4 && r.variant === 'gfs2-5.18');
if (n4 !== undefined) console.log(`- ring N=4 under gfs2-5.18 complete in under 30 s: ${n4.row.ours.result.complete ? ms(n4.row.ours.cpuMs) : 'did not finish'}: ${n4.row.ours.result.complete && n4.row.ours.cpuMs < 30_000 ? 'met' : 'not met'}`);
