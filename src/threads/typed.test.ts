// The step contract is checked by the compiler (issue 17): each line marked
// with an expect-error directive below is a model error that `npm run
// typecheck` (tsconfig.node.json, which includes the tests) rejects; were it
// ever to compile, the unused directive would fail the typecheck. The bad
// machines are built only to be type-checked.
import { describe, expect, it } from 'vitest';
import { FINAL, compile, defineThread } from './define.ts';
import { takeGlock, takeLock } from './steps.ts';

const iMutex = () => ({ kind: 'i_rwsem' as const, ino: 0 });

describe('typed machines', () => {
  it('a machine whose steps return only events their tables handle, into states that exist, compiles', () => {
    const good = defineThread({
      id: 'user_access',
      initial: 'enter',
      states: {
        enter: { step: { run: (input) => (input.regs.write === true ? { event: 'io.write', label: 'write' } : { event: 'io.read', label: 'read' }) }, on: { 'io.write': 'inode_lock', 'io.read': 'done' } },
        ...takeLock('inode_lock', 'inode_lock', iMutex, true, 'done'),
        done: FINAL,
      },
    });
    expect([...compile(good).states.keys()].sort()).toEqual(['done', 'enter', 'inode_lock', 'inode_lock_wait']);
  });

  it('a misspelt event, an event with nowhere to go, an unknown target or initial state do not compile', () => {
    const misspelt = () =>
      defineThread({
        id: 'user_access',
        initial: 'enter',
        states: {
          // @ts-expect-error 'lock.grnated' is not an event enter's table handles
          enter: { step: { run: () => ({ event: 'lock.grnated', label: '' }) }, on: { 'lock.granted': 'done' } },
          done: FINAL,
        },
      });
    const unhandled = () =>
      defineThread({
        id: 'user_access',
        initial: 'enter',
        states: {
          // @ts-expect-error the step can return 'io.read', which enter's table does not handle
          enter: { step: { run: (input) => (input.regs.write === true ? { event: 'io.write', label: '' } : { event: 'io.read', label: '' }) }, on: { 'io.write': 'done' } },
          done: FINAL,
        },
      });
    const unknownTarget = () =>
      defineThread({
        id: 'user_access',
        initial: 'enter',
        states: {
          // @ts-expect-error 'dnoe' is not a state of the machine
          enter: { step: { run: () => ({ event: 'step.done', label: '' }) }, on: { 'step.done': 'dnoe' } },
          done: FINAL,
        },
      });
    const unknownHelperTarget = () =>
      defineThread({
        id: 'user_access',
        initial: 'inode_lock',
        // @ts-expect-error takeLock's next state 'dnoe' is not a state of the machine
        states: {
          ...takeLock('inode_lock', 'inode_lock', iMutex, true, 'dnoe'),
          done: FINAL,
        },
      });
    const unknownInitial = () =>
      defineThread({
        id: 'user_access',
        // @ts-expect-error 'entr' is not a state of the machine
        initial: 'entr',
        states: { enter: { step: { run: () => ({ event: 'step.done', label: '' }) }, on: { 'step.done': 'done' } }, done: FINAL },
      });
    expect([misspelt, unhandled, unknownTarget, unknownHelperTarget, unknownInitial].length).toBe(5);
  });

  it('registers: a step reads only its machine\'s, and a callee frame gets every register its machine requires, of the right type', () => {
    // user_access (threads/regs.ts UserAccessRegs) has vpage and write; do_page_fault requires vpage, write and kernelMode.
    const good = defineThread({
      id: 'user_access',
      initial: 'access',
      states: {
        access: { step: { run: (input) => ({ event: 'access.fault', label: '', call: { machine: 'do_page_fault', regs: { vpage: input.regs.vpage, write: input.regs.write, kernelMode: false } } }) }, on: { 'access.fault': 'done' } },
        done: FINAL,
      },
    });
    const missingCalleeRegister = () =>
      defineThread({
        id: 'user_access',
        initial: 'access',
        states: {
          // @ts-expect-error do_page_fault requires kernelMode: the callee frame would lack it
          access: { step: { run: (input) => ({ event: 'access.fault', label: '', call: { machine: 'do_page_fault', regs: { vpage: input.regs.vpage, write: input.regs.write } } }) }, on: { 'access.fault': 'done' } },
          done: FINAL,
        },
      });
    const registerNotOfThisMachine = () =>
      defineThread({
        id: 'user_access',
        initial: 'access',
        states: {
          // @ts-expect-error user_access has no ino: the user access knows a user page, not a file
          access: { step: { run: (input) => ({ event: 'access.done', label: `${input.regs.ino}` }) }, on: { 'access.done': 'done' } },
          done: FINAL,
        },
      });
    const wrongRegisterType = () =>
      defineThread({
        id: 'user_access',
        initial: 'access',
        states: {
          // @ts-expect-error do_page_fault's vpage is a user page number, not a string
          access: { step: { run: (input) => ({ event: 'access.fault', label: '', call: { machine: 'do_page_fault', regs: { vpage: String(input.regs.vpage), write: input.regs.write, kernelMode: false } } }) }, on: { 'access.fault': 'done' } },
          done: FINAL,
        },
      });
    const builderRegisterMissing = () =>
      defineThread({
        id: 'user_access',
        initial: 'glock',
        // @ts-expect-error takeGlock reads the inode (ino), which user_access does not have
        states: {
          ...takeGlock('glock', { caller: 'user_access', mode: () => 'SH' }, 'done'),
          done: FINAL,
          bug: FINAL,
        },
      });
    expect(compile(good).initial).toBe('access');
    expect([missingCalleeRegister, registerNotOfThisMachine, wrongRegisterType, builderRegisterMissing].length).toBe(4);
  });
});
