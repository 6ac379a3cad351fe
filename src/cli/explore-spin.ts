/**
 * `explore --engine spin --scenario <id> | --scenario-file <path> --variant <id> [--tasks N] [--spin-time S] [--spin-memory MB] [--spin-depth N] [--ncore N] [--base URL] [--json]`:
 * for a model too big for the page, Spin searches our Promela export
 * (src/export/promela.ts), and each counterexample it finds comes back as a
 * Faultline schedule, checked by replaying it here, with a share link that
 * opens it on the timeline.
 *
 * The way back (src/sim/explore/follow.ts): `spin -t -p` replays pan's trail
 * and says which task moved at each step; the tasks' turns, in order, are
 * followed by our engine to the same kind of outcome. A trail with no such
 * schedule, or a schedule whose replay ends otherwise, is a disagreement
 * between the export and the engine: exit 3, with what differed.
 */
import { promelaOf } from '../export/promela.ts';
import { encodeLink } from '../share/link.ts';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import type { Pid } from '../kernel/ids.ts';
import type { VariantId } from '../kernel/variants.ts';
import { followTurns, turnsOf } from '../sim/explore/follow.ts';
import { replay } from '../sim/replay.ts';
import { DEFAULT_BASE } from './import-lockdep.ts';
import { UsageError, type CliIo } from './io.ts';
import { checkVariant } from './options.ts';
import { DEFAULT_SPIN_LIMITS, buildPan, removeBuild, spinVerdict, trailTasks, type SpinLimits, type SpinVerdict } from './spin.ts';

/** Exit status when Spin's counterexample does not come back as the same outcome here. */
export const EXIT_DISAGREE = 3;

export interface SpinExploreOptions {
  readonly limits: SpinLimits;
  /** Compile pan optimized (the default); tests of small models compile faster without. */
  readonly optimize?: boolean;
  /** pan's worker processes (-DNCORE); 1: the ordinary single-core verifier. */
  readonly ncore: number;
  readonly base: string | undefined;
  readonly json: boolean;
}

/** One counterexample, and how it came back. */
export interface Counterexample {
  readonly kind: 'deadlock' | 'bug';
  /** Steps of pan's trail that tasks took, and the turns they make. */
  readonly trailSteps: number;
  readonly turns: number;
  /** null: no schedule of our engine takes those turns to that outcome. */
  readonly schedule: readonly Pid[] | null;
  /** How the schedule's replay here ended (null: it did not end, or there is no schedule). */
  readonly replayed: string | null;
  readonly agrees: boolean;
  readonly link: string | null;
}

export interface SpinExploreResult {
  readonly verdict: SpinVerdict;
  readonly counterexamples: readonly Counterexample[];
  /** Why errors found were not brought back, if they were not. */
  readonly unmapped: string | null;
}

/**
 * Spin 6.5.2's multi-core verifier writes its trail after a "-4:-4:-4"
 * marker line, and `spin -t` stops there ("trail ends after -4 steps"), so
 * its counterexamples are not mapped back: the verdict stands, and the
 * single-core verifier gives the schedule.
 */
const MULTICORE_TRAIL = 'the multi-core verifier\'s trail cannot be replayed by spin -t (Spin 6.5.2 stops at its "-4:-4:-4" marker): run again without --ncore for the schedule';

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name}: expected a positive whole number, not '${text}'`);
  return n;
}

export function parseSpinOptions(values: { 'spin-time'?: string | undefined; 'spin-memory'?: string | undefined; 'spin-depth'?: string | undefined; ncore?: string | undefined; base?: string | undefined; json?: boolean | undefined }): SpinExploreOptions {
  return {
    limits: {
      timeMs: positive('spin-time', values['spin-time'], DEFAULT_SPIN_LIMITS.timeMs / 1000) * 1000,
      memMb: positive('spin-memory', values['spin-memory'], DEFAULT_SPIN_LIMITS.memMb),
      depth: positive('spin-depth', values['spin-depth'], DEFAULT_SPIN_LIMITS.depth),
    },
    ncore: positive('ncore', values.ncore, 1),
    base: values.base,
    json: values.json === true,
  };
}

/** Spin on the export, and every counterexample it found brought back. Throws SpinError when Spin cannot run. */
export function exploreWithSpin(scenario: Scenario, variant: VariantId, options: Omit<SpinExploreOptions, 'json'>): SpinExploreResult | { readonly refused: string } {
  const model = promelaOf(scenario, variant, { hidden: options.ncore <= 1 });
  if (!model.ok) return { refused: model.message };
  const build = buildPan(model.model, options.limits, { ncore: options.ncore, optimize: options.optimize !== false });
  try {
    const verdict = spinVerdict(build, options.limits);
    if (options.ncore > 1) return { verdict, counterexamples: [], unmapped: verdict.searches.some((s) => s.error !== null) ? MULTICORE_TRAIL : null };
    const setup = buildSetup(scenario);
    const counterexamples = verdict.searches.flatMap((search): Counterexample[] => {
      if (search.error === null || search.trail === null) return [];
      const kind = search.error;
      // Process 2 + t is task t (spin.ts: trailTasks); the export keeps the scenario's task order.
      const pids = trailTasks(build, search.trail).map((t) => scenario.tasks[t]?.pid ?? -1);
      const turns = turnsOf(pids);
      const followed = followTurns(setup, variant, turns, kind);
      if (followed === null) return [{ kind, trailSteps: pids.length, turns: turns.length, schedule: null, replayed: null, agrees: false, link: null }];
      const run = replay(setup, variant, followed.schedule);
      const replayed = run.outcome?.kind ?? null;
      const link = `${options.base ?? DEFAULT_BASE}#${encodeLink({ scenario, preset: PRESETS.includes(scenario), variant, schedule: followed.schedule, cursor: followed.schedule.length })}`;
      return [{ kind, trailSteps: pids.length, turns: turns.length, schedule: followed.schedule, replayed, agrees: replayed === kind && run.refused === null, link }];
    });
    return { verdict, counterexamples, unmapped: null };
  } finally {
    removeBuild(build);
  }
}

const KIND_WORDS = { deadlock: 'deadlock (invalid end state)', bug: 'BUG (assertion !(trap_recursive))' } as const;

function verdictLine(v: boolean | null): string {
  return v === null ? 'not decided (a search stopped at its limit)' : v ? 'reachable' : 'not reachable';
}

export function runExploreSpin(scenario: Scenario, variantId: string, options: SpinExploreOptions, io: CliIo): number {
  const variant = checkVariant(scenario, variantId);
  const result = exploreWithSpin(scenario, variant, options);
  if ('refused' in result) {
    io.err(`faultline explore --engine spin: ${result.refused}`);
    return 1;
  }
  const { verdict, counterexamples, unmapped } = result;
  const disagree = counterexamples.some((c) => !c.agrees);
  if (options.json) {
    io.out(
      JSON.stringify({
        scenario: scenario.id,
        variant,
        engine: 'spin',
        deadlock: verdict.deadlock,
        bug: verdict.bug,
        complete: verdict.complete,
        searches: verdict.searches.map((s) => ({ flags: s.flags, error: s.error, limit: s.limit, states: s.states, transitions: s.transitions, memoryMb: s.memoryMb, cpuMs: Math.round(s.cpuMs), wallMs: Math.round(s.wallMs) })),
        counterexamples,
        unmapped,
      }),
    );
    return disagree ? EXIT_DISAGREE : 0;
  }
  const L = options.limits;
  io.out(`${scenario.id} under ${variant}: Spin on the Promela export (pan -DSAFETY${options.ncore > 1 ? ` -DNCORE=${options.ncore}` : ''}; limits ${L.timeMs / 1000} s, -DMEMLIM=${L.memMb}, -m${L.depth})`);
  io.out(`build (spin -a, cc): ${Math.round(verdict.build.cpuMs)} ms CPU`);
  for (const s of verdict.searches) {
    const what = s.flags.includes('-A') ? 'deadlocks only (-A)' : s.flags.includes('-E') ? 'BUGs only (-E)' : 'every error';
    const found = s.error !== null ? KIND_WORDS[s.error] : s.limit !== null ? `did not finish (${s.limit} limit)` : 'no error';
    io.out(`search for ${what}: ${found}; ${s.states.toLocaleString('en-US')} states, ${Math.round(s.cpuMs)} ms CPU, ${s.memoryMb.toFixed(0)} MB`);
  }
  io.out(`deadlock: ${verdictLine(verdict.deadlock)}; BUG: ${verdictLine(verdict.bug)}`);
  if (unmapped !== null) io.out(`counterexamples not brought back: ${unmapped}`);
  for (const c of counterexamples) {
    io.out('');
    if (c.schedule === null) {
      io.out(`${c.kind}: DISAGREEMENT: Spin's trail (${c.trailSteps} steps, ${c.turns} turns) has no Faultline schedule taking the same turns to a ${c.kind}`);
      continue;
    }
    io.out(`${c.kind}: Spin's trail (${c.trailSteps} steps, ${c.turns} turns) is the Faultline schedule of ${c.schedule.length} steps:`);
    io.out(`  --schedule ${c.schedule.join(',')}`);
    io.out(c.agrees ? `  replayed in Faultline: ${c.replayed ?? 'no outcome'}, as Spin found` : `  DISAGREEMENT: replayed in Faultline it ends in ${c.replayed ?? 'no outcome'}, Spin found a ${c.kind}`);
    if (c.link !== null) io.out(`  Share link: ${c.link}`);
  }
  return disagree ? EXIT_DISAGREE : 0;
}
