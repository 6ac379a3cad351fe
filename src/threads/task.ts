/**
 * The bottom frame of every task: run the program's syscalls and user
 * accesses in order, recording each return, until the program ends or a
 * signal kills the task. Also `mmap`, which is short enough to live here.
 */
import { PAGE_SIZE } from '../kernel/ids.ts';
import { addVma } from '../kernel/mm.ts';
import { lockName, type Era } from '../kernel/locks.ts';
import { inodeName, type KernelState } from '../kernel/state.ts';
import { errnoName } from '../kernel/uaccess.ts';
import type { Gfs2Fix, VariantFlags } from '../kernel/variants.ts';
import { FINAL, defineThread } from './define.ts';
import { topEntryId } from './program.ts';
import { dropGlock, mmapLockCall, plainStep, takeGlock, takeLock, unlockStep, type LockOf } from './steps.ts';
import { calleeRet, type Call, type DoMmapRegs, type MachineId, type RwIterRegs } from './regs.ts';
import type { StepInput, Syscall } from './types.ts';

/**
 * The machine that runs a syscall under a variant, and its arguments.
 * `entry` is the entry's pre-order index in the program (threads/program.ts),
 * which the `lock` and `copy` machines read their entry by.
 */
export function syscallMachine(sys: Syscall, flags: VariantFlags, entry = 0): Call {
  switch (sys.call) {
    case 'pread':
    case 'pwrite': {
      const regs: RwIterRegs = { ino: sys.ino, pos: sys.pos, len: sys.len, buf: sys.buf, direct: sys.direct, done: 0, retries: 0 };
      const read = sys.call === 'pread';
      if (flags.fs === 'ext2-dax') return read ? { machine: 'dax_read_iter', regs } : { machine: 'dax_write_iter', regs };
      // The validator refuses read and write on ext4/xfs; a machine that does not exist stops the run with "model error".
      if (flags.fs !== 'gfs2') return { machine: `generic_file_${read ? 'read' : 'write'}_iter on ${flags.fs} (not modelled)`, regs };
      return read ? { machine: GFS2_READ[flags.gfs2Fix], regs } : { machine: GFS2_WRITE[flags.gfs2Fix], regs };
    }
    case 'truncate':
      return { machine: 'do_truncate', regs: { ino: sys.ino, size: sys.size } };
    case 'punch':
      return { machine: 'punch_hole', regs: { ino: sys.ino, pos: sys.pos, len: sys.len } };
    case 'mmap':
      return { machine: 'do_mmap', regs: { ino: sys.ino, addr: sys.at, len: sys.len, pgoff: sys.pgoff, shared: sys.shared } };
    case 'touch':
      return { machine: 'user_access', regs: { vpage: sys.vpage, write: sys.write, retries: 0 } };
    case 'lock':
      return { machine: 'lock_region', regs: { entry, pc: 0 } };
    case 'copy':
      return { machine: 'copy_user', regs: { entry, buf: sys.buf, len: 1, done: 0, write: sys.write, retries: 0 } };
  }
}

/** gfs2_file_read_iter's machine under each gfs2 fix. */
const GFS2_READ = {
  none: 'gfs2_file_read_iter',
  rfc: 'gfs2_file_read_iter (RFC)',
  '5.16': 'gfs2_file_read_iter (5.16)',
  '5.18': 'gfs2_file_read_iter (5.18)',
  '6.4': 'gfs2_file_read_iter (6.4)',
} as const satisfies Record<Gfs2Fix, MachineId>;

/** gfs2_file_write_iter's machine under each gfs2 fix. */
const GFS2_WRITE = {
  none: 'gfs2_file_write_iter',
  rfc: 'gfs2_file_write_iter (RFC)',
  '5.16': 'gfs2_file_write_iter (5.16)',
  '5.18': 'gfs2_file_write_iter (5.18)',
  '6.4': 'gfs2_file_write_iter (6.4)',
} as const satisfies Record<Gfs2Fix, MachineId>;

/** The syscall as strace would show it, with our page units turned into bytes. */
export function describeSyscall(sys: Syscall, kernel: KernelState, era: Era = '5.x'): string {
  const file = (ino: number) => inodeName(kernel, ino);
  switch (sys.call) {
    case 'pread':
    case 'pwrite':
      return `${sys.call}64(${file(sys.ino)}${sys.direct ? ' O_DIRECT' : ''}, buf=user page ${sys.buf}, ${sys.len * PAGE_SIZE}, ${sys.pos * PAGE_SIZE})`;
    case 'truncate':
      return `truncate(${file(sys.ino)}, ${sys.size * PAGE_SIZE})`;
    case 'punch':
      return `fallocate(${file(sys.ino)}, FALLOC_FL_PUNCH_HOLE, ${sys.pos * PAGE_SIZE}, ${sys.len * PAGE_SIZE})`;
    case 'mmap':
      return `mmap(user page ${sys.at}, ${sys.len * PAGE_SIZE}, ${sys.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'}, ${file(sys.ino)}, ${sys.pgoff * PAGE_SIZE})`;
    case 'touch':
      return `user ${sys.write ? 'store to' : 'load from'} page ${sys.vpage}`;
    case 'lock':
      return `${sys.at} (takes ${lockName(kernel, sys.lock, era)})`;
    case 'copy':
      return `${sys.at}: ${sys.write ? 'copy_to_user' : 'copy_from_user'}(user page ${sys.buf})`;
  }
}

export function describeReturn(sys: Syscall, ret: number): string {
  if (sys.call === 'touch') return ret === 0 ? 'done' : 'SIGBUS';
  return ret < 0 ? errnoName(ret) : String(ret);
}

export const taskMachine = defineThread({
  id: 'task',
  initial: 'next_syscall',
  states: {
    next_syscall: {
      step: {
        run: (input) => {
          const pc = input.regs.pc;
          const sys = input.task.program[pc];
          if (input.task.killed) return { event: 'task.exit', label: 'killed by SIGBUS' };
          if (sys === undefined) return { event: 'task.exit', label: 'exit' };
          return { event: 'sys.call', label: () => describeSyscall(sys, input.kernel, input.variant.era), call: syscallMachine(sys, input.variant, topEntryId(input.task.program, pc)) };
        },
      },
      on: { 'sys.call': 'returned', 'task.exit': 'exited' },
    },
    returned: {
      step: {
        run: (input) => {
          const pc = input.regs.pc;
          const sys = input.task.program[pc];
          const ret = calleeRet(input.regs);
          return {
            event: 'sys.returned',
            label: sys === undefined ? 'returned' : `${describeSyscall(sys, input.kernel, input.variant.era)} = ${describeReturn(sys, ret)}`,
            task: { returns: [...input.task.returns, ret] },
            // The return is in task->returns now: what the syscall's frame handed back is dropped.
            regs: { pc: pc + 1, ret: undefined, vmfPage: undefined, cow: undefined },
          };
        },
      },
      on: { 'sys.returned': 'next_syscall' },
    },
    exited: FINAL,
  },
});

const mmapSem: LockOf = (input) => ({ kind: 'mmap_sem', mm: input.task.mm });

/**
 * mmap: down_write(mmap_sem), then ->mmap. gfs2_mmap takes the inode glock
 * SH (LM_FLAG_ANY) to update atime when atime is on, and drops it at once
 * (fs/gfs2/file.c).
 */
export const doMmap = defineThread({
  id: 'do_mmap',
  initial: 'down_write',
  states: {
    ...takeLock('down_write', (input) => mmapLockCall(input, true, false), mmapSem, true, 'f_op_mmap'),
    f_op_mmap: {
      step: {
        run: (input) => {
          switch (input.variant.fs) {
            case 'gfs2':
              return { event: 'mmap.gfs2', label: 'mmap_region → ->mmap = gfs2_mmap (atime on)' };
            case 'ext2-dax':
              return { event: 'mmap.local', label: 'mmap_region → ->mmap = ext2_file_mmap (VM_MIXEDMAP for DAX)' };
            case 'ext4':
              return { event: 'mmap.local', label: 'mmap_region → ->mmap = ext4_file_mmap' };
            case 'xfs':
              return { event: 'mmap.local', label: 'mmap_region → ->mmap = xfs_file_mmap' };
          }
        },
      },
      on: { 'mmap.gfs2': 'gfs2_mmap_glock', 'mmap.local': 'add_vma' },
    },
    ...takeGlock('gfs2_mmap_glock', { caller: 'gfs2_mmap', mode: () => 'SH' }, 'gfs2_mmap_dq'),
    gfs2_mmap_dq: { step: dropGlock('gfs2_mmap'), on: { 'glock.released': 'add_vma' }, fs: 'gfs2' },
    add_vma: {
      step: plainStep(
        (input: StepInput<DoMmapRegs>) => `vma_link: user pages ${input.regs.addr}–${input.regs.addr + input.regs.len - 1} → ${inodeName(input.kernel, input.regs.ino)}`,
        'step.done',
        (input) => ({
          kernel: addVma(input.kernel, input.task.mm, { start: input.regs.addr, pages: input.regs.len, ino: input.regs.ino, pgoff: input.regs.pgoff, shared: input.regs.shared }),
        }),
      ),
      on: { 'step.done': 'up_write' },
    },
    up_write: { step: { run: (input) => unlockStep(mmapLockCall(input, true, true), mmapSem, 'lock.released', () => ({ regs: { ret: 0 } })).run(input) }, on: { 'lock.released': 'done' } },
    done: FINAL,
    bug: FINAL,
  },
});
