/** Command dispatch, kept free of `process` so tests can drive it. */
import { parseArgs } from 'node:util';
import { VARIANTS } from '../kernel/variants.ts';
import { PRESETS, findPreset } from '../scenarios/index.ts';
import type { Scenario } from '../scenarios/types.ts';
import { runExport } from './export.ts';
import { parseMaxPreemptions, parseMaxStates, parseReduction, parseSymmetry, parseTimeLimit, ringScenario, runExplore } from './explore.ts';
import { parseSpinOptions, runExploreSpin } from './explore-spin.ts';
import { runImportLockdep } from './import-lockdep.ts';
import { runLockdep } from './lockdep.ts';
import { UsageError, type CliIo } from './io.ts';
import { loadScenarioFile } from './options.ts';
import { runReplay } from './replay.ts';
import { SpinError } from './spin.ts';

export interface CliInfo {
  version: string;
}

/** Exit codes: 0 ok, 1 the run found something (later commands), 2 bad usage. */
export const EXIT_USAGE = 2;

export const HELP = `Faultline: page faults racing with locks, one atomic kernel step at a time.

Usage: npm run -s cli -- <command> [options]

Commands:
  list               the preset scenarios and the variants each runs under
  replay             run one schedule to its outcome:
                       --scenario <id> --variant <id> [--schedule <pid,pid,...>] [--json]
                       --scenario-file <path.json> --variant <id> [--schedule ...] [--json]
                     a preset by id, or a custom scenario from a JSON file
                     (docs/scenario-format.md; it is validated first);
                     without --schedule, the scenario's own schedule for that variant;
                     after the schedule, the run goes on round-robin until an outcome
  explore            every interleaving: the reachable states, every outcome and the
                     shortest schedule to each:
                       --scenario <id> | --scenario-file <path.json> --variant <id>
                       [--tasks N] (gfs2-dio-ring: 2 to 8 tasks) [--max-states N]
                       [--time-limit S] (default 60) [--reduction footprint|local|none]
                       [--symmetry on|off] [--max-preemptions N] [--json]
                       [--engine faultline|spin]
                     footprint (the default) takes a task's step alone when no
                     other task's remaining syscalls can touch what it touched;
                     local only a step that touches nothing but its own task and
                     mm; none tries every interleaving;
                     --symmetry on (the default) explores one state of each set
                     that a relabelling of interchangeable tasks maps onto each
                     other (the ring's rotations), schedules still in real pids;
                     --max-preemptions bounds the switches away from a task
                     that could still run (and turns the reduction off)
                     --engine spin: Spin searches the Promela export instead
                     (gfs2 scenarios), under limits:
                       [--spin-time S] (each pan run, default 60) [--spin-memory MB]
                       (-DMEMLIM, default 2048) [--spin-depth N] [--ncore N] [--base <url>]
                     each deadlock or BUG it finds is brought back as a schedule,
                     replayed here, with a share link (exit 3 if the replay
                     disagrees with Spin)
  lockdep            the lock-order validator: lockdep's reports, or "no circular
                     dependency" (exit 1 when it warns):
                       --scenario <id> | --scenario-file <path.json> --variant <id>
                       [--schedule <pid,pid,...> | --named <name>] [--max-states N] [--json]
                     across every interleaving, or along one schedule (finished
                     round-robin); --json gives the classes, edges and cycles
  import-lockdep     a lockdep report turned into a scenario and explored: the
                     chain as read, what each class became, the tasks, the
                     verdict (the shortest interleaving that deadlocks, or
                     "no interleaving of these tasks deadlocks: N states" and
                     why), the scenario file and a share link (exit 1 when a
                     deadlock is reachable):
                       --file <splat.txt> [--json] [--max-states N] [--base <url>]
  export             the page's exports, on standard output:
                       --format scenario|trace|promela|svg
                       --scenario <id> | --scenario-file <path.json> --variant <id>
                       [--tasks N] (gfs2-dio-ring) [--schedule <pid,pid,...> | --named <name>]
                     scenario: the scenario file (docs/scenario-format.md);
                     trace: Chrome Trace Event JSON of one schedule (finished
                     round-robin) for ui.perfetto.dev or chrome://tracing;
                     promela: a model for Spin (spin -a; cc -o pan pan.c; ./pan);
                     svg: the timeline of one schedule (finished round-robin),
                     as the page's export draws it
  help               show this text

Options:
  -h, --help         show this text
  -v, --version      print the version`;

export function runCli(argv: readonly string[], info: CliInfo, io: CliIo): number {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.out(HELP);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    io.out(info.version);
    return 0;
  }
  try {
    if (first === 'list') return list(io);
    if (first === 'replay') return replayCommand(rest, io);
    if (first === 'explore') return exploreCommand(rest, io);
    if (first === 'lockdep') return lockdepCommand(rest, io);
    if (first === 'export') return exportCommand(rest, io);
    if (first === 'import-lockdep') return importLockdepCommand(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseError(error)) {
      io.err(`faultline ${first}: ${error instanceof Error ? error.message : String(error)}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (first.startsWith('-')) {
    io.err(`faultline: unknown option '${first}' (try --help)`);
    return EXIT_USAGE;
  }
  io.err(`faultline: unknown command '${first}'${rest.length > 0 ? ` ${rest.join(' ')}` : ''} (try --help)`);
  return EXIT_USAGE;
}

function isParseError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

function list(io: CliIo): number {
  for (const s of PRESETS) io.out(`${s.id.padEnd(26)} ${s.variants.join(', ')}\n${''.padEnd(26)} ${s.title}`);
  io.out('');
  for (const v of VARIANTS) io.out(`${v.id.padEnd(26)} ${v.title}${v.inferred ? ' (inferred)' : ''}`);
  return 0;
}

/** The options that name a scenario and a variant, for every engine command's parseArgs. */
const SCENARIO_OPTIONS = { scenario: { type: 'string' }, 'scenario-file': { type: 'string' }, variant: { type: 'string' } } as const;

/** The scenario and variant every engine command takes: a preset by id or a JSON file, never both. */
function scenarioAndVariant(values: { scenario?: string | undefined; 'scenario-file'?: string | undefined; variant?: string | undefined }, preset: (id: string) => Scenario | undefined = findPreset): { scenario: Scenario; variant: string } {
  const file = values['scenario-file'];
  if (values.scenario !== undefined && file !== undefined) throw new UsageError('give --scenario <id> or --scenario-file <path>, not both');
  if (values.scenario === undefined && file === undefined) throw new UsageError('--scenario <id> (see `list`) or --scenario-file <path.json> is required');
  const scenario = file !== undefined ? loadScenarioFile(file) : preset(values.scenario ?? '');
  if (scenario === undefined) throw new UsageError(`unknown scenario '${values.scenario ?? ''}' (see \`list\`)`);
  if (values.variant === undefined) throw new UsageError(`--variant <id> is required (${scenario.id} runs under ${scenario.variants.join(', ')})`);
  return { scenario, variant: values.variant };
}

/** scenarioAndVariant, where `--scenario gfs2-dio-ring` also takes `--tasks N`. */
function ringOrScenario(values: { scenario?: string | undefined; 'scenario-file'?: string | undefined; variant?: string | undefined; tasks?: string | undefined }): { scenario: Scenario; variant: string } {
  if (values.tasks !== undefined && values.scenario !== 'gfs2-dio-ring') throw new UsageError('--tasks applies only to --scenario gfs2-dio-ring');
  return scenarioAndVariant(values, (id) => (id === 'gfs2-dio-ring' ? ringScenario(values.tasks) : findPreset(id)));
}

function replayCommand(argv: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...SCENARIO_OPTIONS, schedule: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const { scenario, variant } = scenarioAndVariant(values);
  return runReplay(scenario, variant, values.schedule, values.json === true, io);
}

function exploreCommand(argv: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...SCENARIO_OPTIONS,
      tasks: { type: 'string' },
      'max-states': { type: 'string' },
      'time-limit': { type: 'string' },
      reduction: { type: 'string' },
      symmetry: { type: 'string' },
      'max-preemptions': { type: 'string' },
      json: { type: 'boolean', default: false },
      engine: { type: 'string' },
      'spin-time': { type: 'string' },
      'spin-memory': { type: 'string' },
      'spin-depth': { type: 'string' },
      ncore: { type: 'string' },
      base: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const { scenario, variant } = ringOrScenario(values);
  if (values.engine !== undefined && values.engine !== 'faultline' && values.engine !== 'spin') throw new UsageError(`--engine: expected faultline or spin, not '${values.engine}'`);
  const spinOnly = (['spin-time', 'spin-memory', 'spin-depth', 'ncore', 'base'] as const).find((k) => values[k] !== undefined);
  if (values.engine !== 'spin' && spinOnly !== undefined) throw new UsageError(`--${spinOnly} applies only to --engine spin`);
  if (values.engine === 'spin') {
    const faultlineOnly = (['max-states', 'time-limit', 'reduction', 'symmetry', 'max-preemptions'] as const).find((k) => values[k] !== undefined);
    if (faultlineOnly !== undefined) throw new UsageError(`--${faultlineOnly} applies to the Faultline explorer, not --engine spin`);
    try {
      return runExploreSpin(scenario, variant, parseSpinOptions(values), io);
    } catch (error) {
      if (!(error instanceof SpinError)) throw error;
      io.err(`faultline explore --engine spin: ${error.message}`);
      return 1;
    }
  }
  return runExplore(scenario, variant, { maxStates: parseMaxStates(values['max-states']), timeLimitMs: parseTimeLimit(values['time-limit']), maxPreemptions: parseMaxPreemptions(values['max-preemptions']), reduction: parseReduction(values.reduction), symmetry: parseSymmetry(values.symmetry), json: values.json === true }, io, () => performance.now());
}

function lockdepCommand(argv: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...SCENARIO_OPTIONS,
      schedule: { type: 'string' },
      named: { type: 'string' },
      'max-states': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const { scenario, variant } = scenarioAndVariant(values);
  return runLockdep(scenario, variant, { schedule: values.schedule, named: values.named, maxStates: parseMaxStates(values['max-states']), json: values.json === true }, io);
}

function importLockdepCommand(argv: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...argv],
    options: { file: { type: 'string' }, json: { type: 'boolean', default: false }, 'max-states': { type: 'string' }, base: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  return runImportLockdep({ file: values.file, json: values.json === true, maxStates: parseMaxStates(values['max-states']), base: values.base }, io, () => performance.now());
}

function exportCommand(argv: readonly string[], io: CliIo): number {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      format: { type: 'string' },
      ...SCENARIO_OPTIONS,
      tasks: { type: 'string' },
      schedule: { type: 'string' },
      named: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const { scenario, variant } = ringOrScenario(values);
  return runExport(scenario, variant, { format: values.format, schedule: values.schedule, named: values.named }, io);
}
