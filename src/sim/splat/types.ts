/**
 * A lockdep report ("splat") as the kernel printed it, read back into data:
 * the circular and the recursive report of kernel/locking/lockdep.c, in the
 * `[ INFO: … ]` form of kernels before 4.14 and the `WARNING: …` form since
 * (commit a5dd63efda3d, "lockdep: Use "WARNING" tag on lockdep splats").
 *
 * Nothing here is interpreted: class names, usage bits and stack lines are
 * what the report says, with the line each came from (1-based, in the text
 * the user pasted), so every later decision can cite it.
 */

/** Which report: print_circular_bug ("possible circular locking dependency detected") or print_deadlock_bug ("possible recursive locking detected"). */
export type SplatKind = 'circular' | 'recursive';

/** The header's form: `[ INFO: … ]` before 4.14, `WARNING: …` since. */
export type SplatHeader = 'info' | 'warning';

/** One line of a stack trace. */
export interface SplatFrame {
  /** The function, without offset, file or module: `ocfs2_page_mkwrite`; null for a bare address. */
  readonly fn: string | null;
  /** The line as printed, trimmed. */
  readonly text: string;
  readonly line: number;
  /** `[inline]`: the compiler inlined it into the next frame (syzbot's symbolizer prints these). */
  readonly inline: boolean;
  /** `? fn`: an unreliable frame of a Call Trace (not on the stack for sure). */
  readonly unreliable: boolean;
}

/** A lock as print_lock prints it: `ffff888012decda0 (&oi->ip_alloc_sem){++++}-{3:3}, at: ocfs2_fiemap+0x377/0xf80`. */
export interface SplatLock {
  /** The lockdep class as printed, with its `#N` name version and `/N` subclass: `&sb->s_type->i_mutex_key#12`. */
  readonly cls: string;
  /**
   * The usage bits (get_usage_chars): two characters per irq state (hardirq,
   * softirq, and before 4.16 reclaim_fs), the first for write and the
   * second for read use; `.` unused, `+` with irqs enabled, `-` in irq
   * context, `?` both.
   */
  readonly usage: string;
  /** `-{3:3}`: the wait-type annotation of 5.7 and later, or null. */
  readonly wait: string | null;
  /** The lock instance's address (5.x prints it; 4.15–5.x hashed), or null. */
  readonly address: string | null;
  /** The functions of the `at:` lines: one, or several when inlined frames are printed one per line. */
  readonly at: readonly string[];
  readonly line: number;
}

/** `-> #N (class){usage}:` and the stack trace of that dependency. */
export interface SplatChainEntry {
  readonly depth: number;
  readonly cls: string;
  readonly usage: string;
  readonly wait: string | null;
  readonly stack: readonly SplatFrame[];
  readonly line: number;
}

/** One `lock(X);` / `rlock(X);` of the "Possible unsafe locking scenario" table. */
export interface SplatScenarioStep {
  readonly cpu: number;
  /** `rlock` is printed for a read acquisition (newer kernels, CPU0's lines only). */
  readonly read: boolean;
  readonly cls: string;
  readonly line: number;
}

export interface SplatHeld {
  readonly index: number;
  readonly lock: SplatLock;
}

export interface SplatTask {
  readonly comm: string;
  readonly pid: number;
}

/** Something the reader skipped or found missing, without giving up. */
export interface SplatNote {
  readonly line: number | null;
  readonly message: string;
}

export interface Splat {
  readonly kind: SplatKind;
  readonly header: SplatHeader;
  /** The line of the header ("WARNING: possible …" or "[ INFO: possible … ]"). */
  readonly line: number;
  /** The kernel release of print_kernel_ident (`6.11.0-rc5-syzkaller-00316-g6cd90e5ea72f`), when printed. */
  readonly release: string | null;
  readonly task: SplatTask | null;
  /** "is trying to acquire lock:" */
  readonly acquiring: SplatLock | null;
  /** "but task is already holding lock:" */
  readonly holding: SplatLock | null;
  /** The dependency chain in the order printed: `-> #N` first, `-> #0` last (circular reports only). */
  readonly chain: readonly SplatChainEntry[];
  /** "Chain exists of:" — source --> parent --> target, printed when the chain is longer than two. */
  readonly chainExists: readonly string[] | null;
  readonly scenario: readonly SplatScenarioStep[];
  /** "N locks held by comm/pid:" */
  readonly held: readonly SplatHeld[] | null;
  /** The Call Trace after "stack backtrace:", reliable frames only. */
  readonly backtrace: readonly SplatFrame[];
  /** What was cut off or could not be read, in the order met. */
  readonly notes: readonly SplatNote[];
}

export type SplatParse = { readonly ok: true; readonly splat: Splat } | { readonly ok: false; readonly line: number | null; readonly message: string };
