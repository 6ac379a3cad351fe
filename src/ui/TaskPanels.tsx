/**
 * One panel per task: its stack of frames, each as the kernel path it models
 * (the machine's states are kernel function names) with the current step
 * marked, what the task holds, and either a Step button or why it is blocked.
 * A fault frame sits inside the copy that took it. A frame below the top is
 * waiting for its callee, like a debugger's call stack: one line naming the
 * callee and where it will resume, not a step it runs; only the top frame
 * lists its steps, with the one it runs next marked.
 * Steps of another filesystem's code (gfs2's glock in do_mmap under ext2
 * DAX) are not listed.
 */
import { useLayoutEffect, useRef } from 'react';
import type { Filesystem } from '../kernel/variants.ts';
import { locksHeldBy } from '../sim/holds.ts';
import { isFinished, waitOf } from '../sim/step.ts';
import type { SimTask, SystemState } from '../sim/system.ts';
import { compiledMachine } from '../threads/registry.ts';
import type { Frame } from '../threads/types.ts';
import { useCurrentState, useFaultline } from './store-context.tsx';

/**
 * Scroll `list` (positioned, so it is the line's offsetParent) so that `line`
 * is in view, moving nothing else: scrollIntoView would scroll every
 * ancestor, the window too.
 */
function revealInside(list: HTMLElement, line: HTMLElement): void {
  const top = line.offsetTop;
  const bottom = top + line.offsetHeight;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
}

function FrameView({ frame, top, callee, fs }: { frame: Frame; top: boolean; callee: string | null; fs: Filesystem }) {
  const machine = compiledMachine(frame.machine);
  const list = useRef<HTMLOListElement>(null);
  const current = useRef<HTMLLIElement>(null);
  useLayoutEffect(() => {
    if (list.current !== null && current.current !== null) revealInside(list.current, current.current);
  }, [frame.state]);
  if (machine === undefined) return <div className="frame">{frame.machine}</div>;
  const lines = [...machine.states.values()].filter((s) => !s.final && (s.fs === undefined || s.fs === fs || s.name === frame.state));
  return (
    <div className={`frame${top ? ' frame-top' : ''}`}>
      <div className="frame-name">{frame.machine}()</div>
      {callee !== null && (
        <div className="frame-calling">
          in {callee}(); resumes at <code>{frame.state}</code>
        </div>
      )}
      {top && (
        <ol className="frame-code" ref={list}>
          {lines.map((s) => {
            const here = s.name === frame.state;
            return (
              <li key={s.name} ref={here ? current : undefined} className={here ? 'pc' : undefined} aria-current={here ? 'step' : undefined}>
                {s.name}
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}

function TaskPanel({ state, task, index }: { state: SystemState; task: SimTask; index: number }) {
  const stepTask = useFaultline((s) => s.stepTask);
  const wait = waitOf(state, task);
  const done = isFinished(task);
  const stopped = state.stopped !== null;
  const held = locksHeldBy(state, task.pid);
  const runnable = !done && !stopped && wait === null;
  return (
    <section className={`task${runnable ? '' : ' task-idle'}`} aria-label={`pid ${task.pid}`}>
      <header className="task-header">
        <h3>
          pid {task.pid} <span className="task-meta">process {task.mm}{state.kernel.nodes > 1 ? `, node ${task.node}` : ''} · key {index + 1}</span>
        </h3>
        <button type="button" onClick={() => stepTask(task.pid)} disabled={!runnable} aria-label={`Step pid ${task.pid}`}>
          Step
        </button>
      </header>
      {wait !== null && <p className="blocked" role="note">Blocked: {wait.reason}</p>}
      {done && <p className="finished">{task.killed ? 'Killed by SIGBUS' : `Exited; returned ${task.returns.join(', ') || 'nothing'}`}</p>}
      {stopped && !done && <p className="finished">The run has ended ({state.stopped?.kind}).</p>}
      <p className="holds">Holds: {held.length === 0 ? 'nothing' : held.map((h) => `${h.name} (${h.mode})`).join(', ')}</p>
      <div className="stack">
        {task.stack.map((frame, i) => (
          <div key={`${i}-${frame.machine}`} className="stack-level" style={{ marginLeft: `${Math.min(i, 5) * 1.2}ch` }}>
            <FrameView frame={frame} top={i === task.stack.length - 1} callee={task.stack[i + 1]?.machine ?? null} fs={state.flags.fs} />
          </div>
        ))}
      </div>
    </section>
  );
}

export function TaskPanels() {
  const state = useCurrentState();
  if (state === undefined) return null;
  return (
    <div className="tasks">
      {state.tasks.map((task, index) => (
        <TaskPanel key={task.pid} state={state} task={task} index={index} />
      ))}
    </div>
  );
}

