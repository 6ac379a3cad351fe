/**
 * Running Spin on the Promela export (src/export/promela.ts), for the bench
 * and for `explore --engine spin`: generate and compile the verifier, run
 * its searches under limits, read what it found, and replay its trail.
 *
 * Every pan run has three limits, so that a model too big for the machine
 * ends as "did not finish (limit)" and never hangs: CPU time (RLIMIT_CPU
 * through the shell's `ulimit -t`: the kernel sends SIGXCPU; CPU rather than
 * wall-clock time, so that a loaded machine does not cut the search short,
 * with a wall-clock guard of ten times as long), a memory bound (-DMEMLIM,
 * in MB: pan stops itself) and a search depth (-m: pan reports that the
 * depth was too small, and its search was then not exhaustive).
 *
 * Verdicts as promela.ts defines them: a deadlock is an invalid end state,
 * a BUG (gfs2 trap_recursive) the assertion `!(trap_recursive)`. pan stops
 * at its first error, so a verdict on both takes at most two searches: all
 * errors first; after an error of one kind, a search for the other kind only
 * (-A: assertions off; -E: invalid end states off).
 *
 * Node only (child processes, files): it lives in src/cli, and the bench
 * imports it from here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SpinLimits {
  /** CPU time of one pan run, in ms (whole seconds are enforced, at least one); the run is stopped after it. */
  readonly timeMs: number;
  /** pan's own memory bound, -DMEMLIM, in MB. */
  readonly memMb: number;
  /** pan's search depth, -m. */
  readonly depth: number;
}

export const DEFAULT_SPIN_LIMITS: SpinLimits = { timeMs: 60_000, memMb: 2048, depth: 1_000_000 };

/** What one pan run found. `limit` is set when it stopped before searching everything it should have. */
export interface PanSearch {
  readonly flags: readonly string[];
  readonly error: 'deadlock' | 'bug' | null;
  readonly limit: 'time' | 'memory' | 'depth' | null;
  readonly states: number;
  readonly transitions: number;
  /** pan's "total actual memory usage", in MB (0 when it was killed before printing it). */
  readonly memoryMb: number;
  readonly wallMs: number;
  /** User + system CPU time of the pan process, in ms (from /proc; the wall time where that is unavailable). */
  readonly cpuMs: number;
  /** The trail file pan wrote for its error, if any. */
  readonly trail: string | null;
  readonly output: string;
}

/** A compiled verifier in a scratch directory. */
export interface PanBuild {
  readonly dir: string;
  /** `spin -a` and the C compiler, wall and CPU, in ms. */
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface SpinVerdict {
  /** null when the searches that would decide it did not finish. */
  readonly deadlock: boolean | null;
  readonly bug: boolean | null;
  readonly searches: readonly PanSearch[];
  readonly build: PanBuild;
  /** Every search finished: the verdict is complete. */
  readonly complete: boolean;
}

export class SpinError extends Error {}

/** CPU time (user + system, ms) of the children this process has waited for, from /proc/self/stat; null where /proc is not there. */
function childCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3; cutime and cstime are fields 16 and 17 (proc(5)), in clock ticks (USER_HZ, 100 on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return null;
  }
}

function timed(command: string, args: readonly string[], dir: string, timeoutMs: number): { status: number | null; signal: string | null; stdout: string; stderr: string; wallMs: number; cpuMs: number } {
  const cpu0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(command, [...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26, timeout: timeoutMs, killSignal: 'SIGKILL' });
  const wallMs = performance.now() - t0;
  const cpu1 = childCpuMs();
  if (r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new SpinError(`${command} not found: install Debian's spin and gcc packages (apt-get install spin gcc)`);
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', wallMs, cpuMs: cpu0 === null || cpu1 === null ? wallMs : cpu1 - cpu0 };
}

/**
 * C compiler flags for pan. Optimized: -O1 without gcc's dead-store pass,
 * which is most of -O1's time on pan.c and buys nothing here; unoptimized
 * (-O0) compiles in a third of the time, which is what counts for a model
 * whose search takes less time than its compilation.
 */
const CC_FLAGS = { optimize: ['-O1', '-fno-dse', '-w'], quick: ['-O0', '-w'] } as const;

/**
 * Write the model, generate pan.c and compile it. `ncore` > 1 builds the
 * multi-core verifier (-DNCORE); `collapse` adds -DCOLLAPSE (state vector
 * compression, less memory for more time).
 */
export function buildPan(model: string, limits: SpinLimits, options: { readonly ncore?: number; readonly collapse?: boolean; readonly optimize?: boolean } = {}): PanBuild {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-spin-'));
  writeFileSync(join(dir, 'model.pml'), model);
  const gen = timed('spin', ['-a', 'model.pml'], dir, 120_000);
  if (gen.status !== 0) throw new SpinError(`spin -a failed:\n${gen.stdout}${gen.stderr}`);
  const defines = ['-DSAFETY', `-DMEMLIM=${limits.memMb}`, ...((options.ncore ?? 1) > 1 ? [`-DNCORE=${options.ncore ?? 1}`] : []), ...(options.collapse === true ? ['-DCOLLAPSE'] : [])];
  const cc = timed('cc', [...(options.optimize === false ? CC_FLAGS.quick : CC_FLAGS.optimize), ...defines, '-o', 'pan', 'pan.c'], dir, 600_000);
  if (cc.status !== 0) throw new SpinError(`cc pan.c failed:\n${cc.stdout}${cc.stderr}`);
  return { dir, wallMs: gen.wallMs + cc.wallMs, cpuMs: gen.cpuMs + cc.cpuMs };
}

export function removeBuild(build: PanBuild): void {
  rmSync(build.dir, { recursive: true, force: true });
}

function count(out: string, pattern: RegExp): number {
  const m = pattern.exec(out);
  return m === null ? 0 : Number(m[1]);
}

/** Read a pan run's output. An assertion other than the BUG's is the model breaking itself: an error, not a verdict. */
export function readPanOutput(out: string): Pick<PanSearch, 'error' | 'states' | 'transitions' | 'memoryMb'> & { readonly limit: 'memory' | 'depth' | null } {
  const other = /pan:\d+: assertion violated (.*)/.exec(out);
  if (other !== null && !/trap_recursive/.test(other[1] ?? '')) throw new SpinError(`the model broke its own assertion ${other[1] ?? ''}:\n${out}`);
  const error = /pan:\d+: invalid end state/.test(out) ? 'deadlock' : other !== null ? 'bug' : null;
  const limit = /pan: reached -DMEMLIM bound|pan: out of memory/.test(out) ? 'memory' : /max search depth too small/.test(out) ? 'depth' : null;
  return {
    error,
    limit,
    states: count(out, /(\d+) states, stored/),
    transitions: count(out, /(\d+) transitions \(= /),
    memoryMb: Number(/([\d.]+)\s+total actual memory usage/.exec(out)?.[1] ?? 0),
  };
}

/** States stored as of pan's last progress line ("Depth= ... States= 2e+06 ..."). */
function lastProgress(out: string): number {
  const all = [...out.matchAll(/States=\s*([\d.e+]+)/g)];
  return Number(all[all.length - 1]?.[1] ?? 0);
}

/** One pan search with `flags` (-A, -E, ...) under the limits. */
export function panSearch(build: PanBuild, flags: readonly string[], limits: SpinLimits): PanSearch {
  const trails = () => readdirSync(build.dir).filter((f) => f.endsWith('.trail'));
  for (const f of trails()) if (f.startsWith('model.pml')) rmSync(join(build.dir, f), { force: true });
  const cpuSeconds = Math.max(1, Math.ceil(limits.timeMs / 1000));
  const run = timed('sh', ['-c', `ulimit -t ${cpuSeconds} && exec ./pan "$@"`, 'pan', `-m${limits.depth}`, ...flags], build.dir, cpuSeconds * 10_000);
  const output = run.stdout + run.stderr;
  const killed = run.signal !== null;
  // A killed pan printed no summary: its last progress line says how far it got.
  const read = killed ? { error: null, limit: null, states: lastProgress(output), transitions: 0, memoryMb: 0 } : readPanOutput(output);
  const error = read.error;
  // Each error keeps its own trail (the next search would overwrite it): deadlock.trail, bug.trail. The multi-core verifier names its trail per core.
  const written = trails().find((f) => f.startsWith('model.pml'));
  let trail: string | null = null;
  if (error !== null && written !== undefined) {
    trail = join(build.dir, `${error}.trail`);
    renameSync(join(build.dir, written), trail);
  }
  return {
    flags,
    error,
    limit: killed ? 'time' : error === null ? read.limit : null,
    states: read.states,
    transitions: read.transitions,
    memoryMb: read.memoryMb,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    trail,
    output,
  };
}

/**
 * Spin's verdict on both kinds: one search for every error; after an error,
 * one search for the other kind only. A search that hit a limit leaves its
 * kinds undecided (null), unless an error of that kind was found anyway.
 */
export function spinVerdict(build: PanBuild, limits: SpinLimits): SpinVerdict {
  const first = panSearch(build, [], limits);
  if (first.error === null) {
    const decided = first.limit === null ? false : null;
    return { deadlock: decided, bug: decided, searches: [first], build, complete: first.limit === null };
  }
  const second = panSearch(build, [first.error === 'deadlock' ? '-E' : '-A'], limits);
  const other = second.error !== null ? true : second.limit === null ? false : null;
  const deadlock = first.error === 'deadlock' ? true : other;
  const bug = first.error === 'bug' ? true : other;
  return { deadlock, bug, searches: [first, second], build, complete: deadlock !== null && bug !== null };
}

/**
 * The trail of an error as the sequence of task instances that moved, one
 * entry per step `spin -t -p` prints. Processes are numbered as init runs
 * them (promela.ts: initBlock): init is 0, lock_manager 1, then the scenario's
 * tasks in order, so process 2 + t is task t. lock_manager only ever moves
 * inside a task's atomic step (a rendezvous), so its steps belong to that
 * task's and are left out.
 */
export function trailTasks(build: PanBuild, trail: string): number[] {
  const replay = timed('spin', ['-t', '-p', '-k', trail, 'model.pml'], build.dir, 120_000);
  if (replay.status !== 0) throw new SpinError(`spin -t failed:\n${replay.stdout}${replay.stderr}`);
  const tasks: number[] = [];
  for (const m of replay.stdout.matchAll(/^\s*\d+:\s+proc\s+(\d+) \(task:\d+\)/gm)) tasks.push(Number(m[1]) - 2);
  return tasks;
}
