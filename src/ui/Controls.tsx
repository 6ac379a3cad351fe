/** Move through the schedule, run it to the end, or play it. */
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { digestState } from '../sim/digest.ts';
import { CopyLink } from './CopyLink.tsx';
import { useCurrentState } from './store-context.tsx';
import { useFaultline } from './store-context.tsx';

export function Controls() {
  const cursor = useFaultline((s) => s.cursor);
  const total = useFaultline((s) => s.schedule.length);
  const notice = useFaultline((s) => s.notice);
  // Actions are stable functions; useShallow keeps the grouped selection from re-rendering.
  const { back, forward, jumpTo, reset, clearSchedule, runToEnd, dismissNotice } = useFaultline(
    useShallow((s) => ({ back: s.back, forward: s.forward, jumpTo: s.jumpTo, reset: s.reset, clearSchedule: s.clearSchedule, runToEnd: s.runToEnd, dismissNotice: s.dismissNotice })),
  );
  const current = useCurrentState();
  const digest = current === undefined ? '' : digestState(current);
  const [strategy, setStrategy] = useState<'round-robin' | 'random'>('round-robin');
  const [seed, setSeed] = useState(1);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(4);
  const ids = { step: useId(), strategy: useId(), seed: useId(), speed: useId() };

  useEffect(() => {
    if (!playing) return;
    const timer = setTimeout(() => (cursor >= total ? setPlaying(false) : forward()), 1000 / speed);
    return () => clearTimeout(timer);
  }, [playing, cursor, total, speed, forward]);

  return (
    <section className="controls" aria-label="Controls">
      <div className="control-row">
        <button type="button" onClick={() => jumpTo(0)} disabled={cursor === 0}>
          Start
        </button>
        <button type="button" onClick={back} disabled={cursor === 0}>
          Back
        </button>
        <button type="button" onClick={forward} disabled={cursor >= total}>
          Forward
        </button>
        <button type="button" onClick={() => jumpTo(total)} disabled={cursor >= total}>
          End
        </button>
        <label htmlFor={ids.step}>Step</label>
        <input id={ids.step} type="range" min={0} max={total} value={cursor} onChange={(e) => jumpTo(Number(e.target.value))} />
        <output htmlFor={ids.step}>
          {cursor} / {total}
        </output>
        <span className="digest">
          state <code aria-label="State digest">{digest}</code>
        </span>
        <CopyLink />
      </div>
      <div className="control-row">
        <button type="button" onClick={() => setPlaying((p) => !p)} disabled={!playing && cursor >= total}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <label htmlFor={ids.speed}>Speed</label>
        <input id={ids.speed} type="range" min={1} max={20} value={speed} onChange={(e) => setSpeed(Number(e.target.value))} />
        <output htmlFor={ids.speed}>{speed} steps/s</output>
        <label htmlFor={ids.strategy}>Scheduler</label>
        <select id={ids.strategy} value={strategy} onChange={(e) => setStrategy(e.target.value === 'random' ? 'random' : 'round-robin')}>
          <option value="round-robin">round-robin</option>
          <option value="random">seeded random</option>
        </select>
        {strategy === 'random' && (
          <>
            <label htmlFor={ids.seed}>Seed</label>
            <input id={ids.seed} type="number" min={0} value={seed} onChange={(e) => setSeed(Math.max(0, Math.trunc(Number(e.target.value) || 0)))} className="seed" />
          </>
        )}
        <button type="button" onClick={() => runToEnd(strategy === 'random' ? { kind: 'random', seed } : { kind: 'round-robin' })}>
          Run to end from here
        </button>
        <button type="button" onClick={reset}>
          Reset
        </button>
        <button type="button" onClick={clearSchedule}>
          Clear schedule
        </button>
      </div>
      {notice !== null && (
        <p className="notice" role="alert">
          {notice}{' '}
          <button type="button" onClick={dismissNotice}>
            Dismiss
          </button>
        </p>
      )}
    </section>
  );
}
