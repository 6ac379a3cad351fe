// Footprints (sim/footprint.ts) and claims (claims.ts), which the footprint
// reduction (reduce.ts) rests on: a recorded step is the same step, its keys
// say in kernel objects what it touched, and a claim that leaves out what a
// task does is caught.
import { describe, expect, it } from 'vitest';
import type { Pid } from '../../kernel/ids.ts';
import { buildSetup } from '../../scenarios/build.ts';
import { PRESETS } from '../../scenarios/index.ts';
import type { Inode, KernelState, Page } from '../../kernel/state.ts';
import type { SleepLock } from '../../kernel/sleeplock.ts';
import { FREE, INODE_FIELDS, K_BLOCK, K_GLOCK, K_INODE, K_MM, K_PAGE, K_PTE, MM_MMAP_SEM, PAGE_DATA, PAGE_LOCK, PAGE_REFS, aOf, describeKey, isRecordingProxy, key, kindOf, writtenKeys, type Footprint } from '../footprint.ts';
import { scanWaits } from '../outcome.ts';
import { replay } from '../replay.ts';
import { randomScheduler, runFrom, startAt } from '../schedulers.ts';
import { stepRecorded, stepRunnable } from '../step.ts';
import { initialSystem, type SystemState } from '../system.ts';
import { conflicts, createClaims, type Claim, type Claims } from './claims.ts';
import { checkClaim } from './reduce.ts';

const cases = PRESETS.flatMap((scenario) => scenario.variants.map((variant) => ({ scenario, variant })));

/** Every object reachable from `value` (a kernel state is a tree of plain objects and arrays). */
function someObject(value: unknown, test: (v: object) => boolean): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (test(value)) return true;
  return Object.values(value).some((v) => someObject(v, test));
}

/** Each step of a schedule from the start, with the state it was taken in. */
function stepsOf(scenario: (typeof PRESETS)[number], variant: (typeof cases)[number]['variant'], schedule: readonly Pid[]): { state: SystemState; pid: Pid }[] {
  const run = replay(buildSetup(scenario), variant, schedule);
  return run.trace.map((t, i) => ({ state: run.states[i] as SystemState, pid: t.pid }));
}

function frameOf(state: SystemState, pid: Pid): string {
  const task = state.tasks.find((t) => t.pid === pid);
  const frame = task?.stack[task.stack.length - 1];
  return `${frame?.machine ?? ''}/${frame?.state ?? ''}`;
}

/** The footprint of the first step of a preset's documented schedules taken in `machineState` (machine/state), and that `fits`. */
function footprintAt(presetId: string, machineState: string, fits: (fp: Footprint) => boolean = () => true): { fp: Footprint; state: SystemState; pid: Pid } {
  const scenario = PRESETS.find((p) => p.id === presetId);
  const variant = scenario?.variants[0];
  if (scenario === undefined || variant === undefined) throw new Error(`no preset ${presetId}`);
  for (const schedule of scenario.schedules) {
    for (const at of stepsOf(scenario, variant, schedule.steps)) {
      if (frameOf(at.state, at.pid) !== machineState) continue;
      const fp = stepRecorded(at.state, at.pid).footprint;
      if (fits(fp)) return { fp, ...at };
    }
  }
  throw new Error(`no step in ${machineState}`);
}

describe('recorded steps', () => {
  it.each(cases.map((c) => [c.scenario.id, c.variant, c] as const))('%s under %s: a recorded step is the step, and leaves no recording proxy in the state', (_id, _v, { scenario, variant }) => {
    for (let seed = 1; seed <= 3; seed++) {
      const run = runFrom(startAt(initialSystem(buildSetup(scenario), variant)), randomScheduler(seed));
      for (const state of run.states) {
        for (const pid of scanWaits(state).runnable) {
          const plain = stepRunnable(state, pid);
          const { out } = stepRecorded(state, pid);
          expect(out).toEqual(plain);
          if (out.ok) expect(someObject(out.state, isRecordingProxy), `${frameOf(state, pid)} left a proxy`).toBe(false);
        }
      }
    }
  });
});

/**
 * The kernel with one object changed in a way that keeps every invariant
 * (a waiter added to a lock, i_size grown, a page's data or refcount, a
 * block's data, a glock's pending demote), each with the key it changes.
 */
function perturbations(kernel: KernelState): { key: number; kernel: KernelState }[] {
  const out: { key: number; kernel: KernelState }[] = [];
  const waiter = (lock: SleepLock): SleepLock => ({ ...lock, waiters: [...lock.waiters, { pid: 9999, write: true }] });
  kernel.inodes.forEach((inode, i) => {
    const with_ = (change: Partial<Inode>) => ({ ...kernel, inodes: kernel.inodes.map((x, j) => (j === i ? { ...x, ...change } : x)) });
    out.push({ key: key(K_INODE, i, INODE_FIELDS.indexOf('size')), kernel: with_({ size: inode.size + 7 * 4096 }) });
    out.push({ key: key(K_INODE, i, INODE_FIELDS.indexOf('cache')), kernel: with_({ cache: [...inode.cache, null] }) });
    out.push({ key: key(K_INODE, i, INODE_FIELDS.indexOf('map')), kernel: with_({ map: [...inode.map, null] }) });
    for (const lock of ['i_rwsem', 'i_mmap', 'invalidate_lock'] as const) out.push({ key: key(K_INODE, i, INODE_FIELDS.indexOf(lock)), kernel: with_({ [lock]: waiter(inode[lock]) }) });
  });
  kernel.pages.forEach((page, p) => {
    const with_ = (change: Partial<Page>) => ({ ...kernel, pages: kernel.pages.map((x, j) => (j === p ? { ...x, ...change } : x)) });
    const cls = page.mapping ?? FREE;
    out.push({ key: key(K_PAGE, cls, PAGE_LOCK), kernel: with_({ lock: waiter(page.lock) }) });
    out.push({ key: key(K_PAGE, cls, PAGE_REFS), kernel: with_({ refs: page.refs + 1 }) });
    out.push({ key: key(K_PAGE, cls, PAGE_DATA), kernel: with_({ content: `${page.content}~` }) });
  });
  kernel.blocks.forEach((block, b) => {
    out.push({ key: key(K_BLOCK, block.owner?.ino ?? FREE, 0), kernel: { ...kernel, blocks: kernel.blocks.map((x, j) => (j === b ? { ...x, content: `${x.content}~` } : x)) } });
  });
  kernel.mms.forEach((mm, m) => {
    out.push({ key: key(K_MM, m, MM_MMAP_SEM), kernel: { ...kernel, mms: kernel.mms.map((x, j) => (j === m ? { ...x, mmap_sem: waiter(mm.mmap_sem) } : x)) } });
  });
  kernel.glocks.forEach((gl, g) => {
    out.push({ key: key(K_GLOCK, gl.ino, gl.node), kernel: { ...kernel, glocks: kernel.glocks.map((x, j) => (j === g ? { ...x, demote: x.demote === null ? 'SH' : null } : x)) } });
  });
  return out;
}

describe('footprints are complete', () => {
  const some = cases.filter(({ scenario }) => ['lock-page-retry', 'dax-private-write', 'dax-truncate', 'pagecache-punch-fault', 'imutex-mmapsem', 'gfs2-abba-dio', 'gfs2-write-vs-mmap', 'gfs2-two-node-write'].includes(scenario.id));
  it.each(some.map((c) => [c.scenario.id, c.variant, c] as const))('%s under %s: changing an object a step neither read nor wrote changes nothing the step does', { timeout: 120_000 }, (_id, _v, { scenario, variant }) => {
    let checked = 0;
    for (let seed = 1; seed <= 2; seed++) {
      const run = runFrom(startAt(initialSystem(buildSetup(scenario), variant)), randomScheduler(seed));
      for (const state of run.states) {
        for (const pid of scanWaits(state).runnable) {
          const { out, footprint } = stepRecorded(state, pid);
          if (!out.ok) continue;
          const touched = new Set([...footprint.reads, ...footprint.writes]);
          const task = (s: SystemState) => s.tasks.find((t) => t.pid === pid);
          for (const p of perturbations(state.kernel)) {
            if (touched.has(p.key)) continue;
            const changed = { ...state, kernel: p.kernel };
            const other = stepRunnable(changed, pid);
            const where = `${frameOf(state, pid)} with ${describeKey(p.key)} changed`;
            expect(other.ok, where).toBe(true);
            if (!other.ok) continue;
            expect(other.trace.event, where).toBe(out.trace.event);
            expect(task(other.state), where).toEqual(task(out.state));
            expect(other.state.stopped?.kind, where).toBe(out.state.stopped?.kind);
            expect(new Set(writtenKeys(p.kernel, other.state.kernel)), where).toEqual(new Set(footprint.writes));
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('footprints in kernel objects', () => {
  it("a task's first step (task/next_syscall) touches no kernel object", () => {
    const { fp } = footprintAt('lock-page-retry', 'task/next_syscall');
    expect(fp).toEqual({ reads: [], writes: [] });
  });

  it("do_page_fault's down_read(mmap_sem) writes its own process's mmap_sem and nothing else", () => {
    const { fp, state, pid } = footprintAt('lock-page-retry', 'do_page_fault/down_read_mmap_sem');
    const mm = state.tasks.find((t) => t.pid === pid)?.mm ?? -1;
    expect(fp.writes).toEqual([key(K_MM, mm, MM_MMAP_SEM)]);
    expect(new Set(fp.reads)).toEqual(new Set([key(K_MM, mm, MM_MMAP_SEM)]));
  });

  it("the DAX fault's find_get_page reads F's page cache", () => {
    const { fp } = footprintAt('lock-page-retry', 'do_dax_fault/find_get_page');
    expect(fp.reads).toContain(key(K_INODE, 0, INODE_FIELDS.indexOf('cache')));
  });

  it("truncate's unmap_mapping_range writes the PTE of the process that mapped F, not its own", () => {
    const { fp, state, pid } = footprintAt('dax-truncate', 'do_truncate/unmap_mapping_range', (f) => f.writes.some((k) => kindOf(k) === K_PTE));
    const own = state.tasks.find((t) => t.pid === pid)?.mm;
    const ptes = fp.writes.filter((k) => kindOf(k) === K_PTE);
    expect(ptes.length).toBeGreaterThan(0);
    expect(ptes.every((k) => aOf(k) !== own)).toBe(true);
    // pid 101 (mm 0) loaded from user page 1, which maps F's page 1, past the new size.
    expect(ptes.map(describeKey)).toEqual(['PTE of mm 0 user page 1']);
  });
});

describe('claims', () => {
  it('conflict: a write against a claimed read or write, a read against a claimed write; two reads never', () => {
    const k = key(K_INODE, 0, 0);
    const reads: Claim = { writes: new Set(), reads: new Set([k]) };
    const writes: Claim = { writes: new Set([key(K_INODE, 0, 4094)]), reads: new Set() };
    expect(conflicts({ reads: [k], writes: [] }, reads)).toBe(false);
    expect(conflicts({ reads: [], writes: [k] }, reads)).toBe(true);
    expect(conflicts({ reads: [k], writes: [] }, writes)).toBe(true);
    expect(conflicts({ reads: [key(K_INODE, 1, 0)], writes: [] }, writes)).toBe(false);
  });

  // Every documented schedule of every preset, each step held to its task's claim.
  const documented = cases.flatMap(({ scenario, variant }) => scenario.schedules.filter((s) => s.expect[variant] !== undefined).map((s) => ({ scenario, variant, schedule: s.steps })));
  const violations = (claimsOf: (initial: SystemState) => Claims): string[] => {
    const found: string[] = [];
    for (const { scenario, variant, schedule } of documented) {
      const claims = claimsOf(initialSystem(buildSetup(scenario), variant));
      for (const { state, pid } of stepsOf(scenario, variant, schedule)) {
        try {
          checkClaim(state, pid, stepRecorded(state, pid).footprint, claims);
        } catch (e) {
          found.push(`${scenario.id}: ${(e as Error).message}`);
        }
      }
    }
    return found;
  };

  it('every step of every documented schedule keeps to its claim', () => {
    expect(violations(createClaims)).toEqual([]);
  });

  it('a planted claim that forgets truncate and punch zapping other processes’ PTEs is caught on their unmap_mapping_range', () => {
    const forgetful = (initial: SystemState): Claims => {
      const real = createClaims(initial);
      return {
        of: (task) => {
          const claim = real.of(task);
          const writes = new Set([...claim.writes].filter((k) => kindOf(k) !== K_PTE || aOf(k) === task.mm));
          return { writes, reads: new Set([...claim.reads].filter((k) => kindOf(k) !== K_PTE)) };
        },
      };
    };
    const found = violations(forgetful);
    expect(found.some((m) => /^dax-truncate: model error: pid 102's step do_truncate\/unmap_mapping_range touched PTE of mm 0/.test(m)), found.join('\n')).toBe(true);
    expect(found.some((m) => /^pagecache-punch-fault: model error: pid 102's step punch_hole\/unmap_mapping_range touched PTE of mm 0/.test(m)), found.join('\n')).toBe(true);
  });
});
