/**
 * One scenario under two variants: the explorer's outcome sets side by side
 * with what the fix removed or added, and the bug schedule replayed under
 * both on timelines that share one x scale and one cursor.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { VariantId } from '../../kernel/variants.ts';
import { pidName } from '../../kernel/state.ts';
import { findVariant } from '../../kernel/variants.ts';
import type { ExploreProgress, ExploreResult } from '../../sim/explore/explore.ts';
import { useFaultline } from '../store-context.tsx';
import { buildTimeline, withDomain } from '../../export/timeline/model.ts';
import { Timeline } from '../timeline/Timeline.tsx';
import { bugSchedule, compareRows, formatCount, type CompareRow } from './model.ts';
import type { CompareMessage, CompareRequest } from './protocol.ts';
import '../panel.css';
import './compare.css';

/** Every interleaving is explored (no reduction): keep it bounded so a large scenario says so instead of hanging. */
const MAX_STATES = 300_000;

type Run =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running'; readonly key: string; readonly variant: VariantId | null; readonly progress: ExploreProgress | null }
  | { readonly kind: 'done'; readonly key: string; readonly before: ExploreResult; readonly after: ExploreResult }
  | { readonly kind: 'failed'; readonly key: string; readonly message: string };

/**
 * Neutral words: After may be the fix or a hypothetical regression, so a
 * change is said from Before to After, never credited to "the fix".
 */
function changeWords(change: CompareRow['change'], before: VariantId, after: VariantId): string {
  switch (change) {
    case 'removed':
      return `gone: ${before} → ${after}`;
    case 'added':
      return `new: ${before} → ${after}`;
    case 'fewer':
      return `fewer: ${before} → ${after}`;
    case 'more':
      return `more: ${before} → ${after}`;
    case 'same':
      return 'unchanged';
  }
}

function VariantSelect({ label, value, variants, onChange }: { label: string; value: VariantId; variants: readonly VariantId[]; onChange: (v: VariantId) => void }) {
  const id = useId();
  return (
    <span className="cmp-pick">
      <label htmlFor={id}>{label}</label>{' '}
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as VariantId)}>
        {variants.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </span>
  );
}

function explored(result: ExploreResult): string {
  const states = result.states.toLocaleString('en-US');
  return result.complete ? `all ${states} states` : `${states} states, not complete (state limit reached: the counts cover only what was explored)`;
}

function AlignedTimelines({ scenarioPids, before, after }: { scenarioPids: readonly number[]; before: VariantId; after: VariantId }) {
  const scenario = useFaultline((s) => s.scenario);
  const bug = useMemo(() => bugSchedule(scenario, before, after), [scenario, before, after]);
  const [cursor, setCursor] = useState(0);
  const laneLabels = useMemo(() => scenarioPids.map(pidName), [scenarioPids]);
  const models = useMemo(() => {
    if (bug === null) return null;
    const built = bug.runs.map((r) => buildTimeline(r.run.trace, r.run.states, scenarioPids));
    const steps = Math.max(...built.map((m) => m.steps));
    return built.map((m) => withDomain(m, steps));
  }, [bug, scenarioPids]);
  if (bug === null || models === null) return <p>This scenario has no schedule to replay.</p>;
  return (
    <div className="cmp-timelines">
      <h3>
        The schedule “{bug.name}” under both, step for step
      </h3>
      <p className="cmp-description">{bug.description}</p>
      {bug.runs.map((r, i) => {
        const model = models[i];
        if (model === undefined) return null;
        return (
          <figure key={r.variant} className="cmp-run" aria-label={`Timeline under ${r.variant}`}>
            <figcaption>
              <strong>{i === 0 ? 'Before' : 'After'}: {r.variant}</strong> — {r.run.outcome?.kind ?? 'no outcome'} after {r.run.schedule.length} steps
              {r.note !== null && <span className="cmp-note"> ({r.note})</span>}
            </figcaption>
            <Timeline model={model} cursor={Math.min(cursor, model.steps)} onSelectStep={setCursor} laneLabels={laneLabels} stepLabel={(s) => r.run.trace[s]?.label ?? ''} />
          </figure>
        );
      })}
    </div>
  );
}

export function ComparePanel() {
  const scenario = useFaultline((s) => s.scenario);
  const variants = scenario.variants;
  const [choice, setChoice] = useState<{ scenario: string; before: VariantId; after: VariantId } | null>(null);
  const before = choice?.scenario === scenario.id ? choice.before : (variants[0] ?? 'gfs2-5.15');
  const after = choice?.scenario === scenario.id ? choice.after : (variants[variants.length - 1] ?? before);
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  const worker = useRef<Worker | null>(null);
  const heading = useId();
  const key = `${scenario.id}/${before}/${after}`;
  const pids = useMemo(() => scenario.tasks.map((t) => t.pid), [scenario]);

  useEffect(() => () => worker.current?.terminate(), []);

  const start = () => {
    worker.current?.terminate();
    const w = new Worker(new URL('./compare.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    setRun({ kind: 'running', key, variant: null, progress: null });
    w.onmessage = (event: MessageEvent<CompareMessage>) => {
      const m = event.data;
      if (m.type === 'progress') setRun({ kind: 'running', key, variant: m.variant, progress: m.progress });
      else {
        setRun(m.type === 'done' ? { kind: 'done', key, before: m.before, after: m.after } : { kind: 'failed', key, message: m.message });
        w.terminate();
        worker.current = null;
      }
    };
    const request: CompareRequest = { scenario, before, after, maxStates: MAX_STATES };
    w.postMessage(request);
  };

  const current = run.kind !== 'idle' && run.key === key ? run : ({ kind: 'idle' } as const);
  const rows = current.kind === 'done' ? compareRows(current.before, current.after) : [];
  const pick = (which: 'before' | 'after') => (v: VariantId) => setChoice({ scenario: scenario.id, before, after, [which]: v });

  return (
    <section className="cmp panel" aria-labelledby={heading}>
      <h2 id={heading}>Compare variants</h2>
      {variants.length < 2 ? (
        <p>{scenario.id} runs under one variant only ({before}): there is nothing to compare it with.</p>
      ) : (
        <>
          <div className="control-row">
            <VariantSelect label="Before" value={before} variants={variants} onChange={pick('before')} />
            <VariantSelect label="After" value={after} variants={variants} onChange={pick('after')} />
            {current.kind === 'running' ? (
              <button
                type="button"
                onClick={() => {
                  worker.current?.terminate();
                  worker.current = null;
                  setRun({ kind: 'idle' });
                }}
              >
                Cancel
              </button>
            ) : (
              <button type="button" onClick={start} disabled={before === after}>
                Compare
              </button>
            )}
            <span role="status" aria-label="Comparison">
              {before === after && 'Pick two different variants.'}
              {current.kind === 'running' && (current.progress === null ? 'Exploring every interleaving…' : `Exploring ${current.variant ?? ''}: ${current.progress.states.toLocaleString('en-US')} states`)}
              {current.kind === 'failed' && `The comparison failed: ${current.message}`}
              {current.kind === 'done' && `Every interleaving of ${scenario.id}: ${explored(current.before)} under ${before}; ${explored(current.after)} under ${after}.`}
            </span>
          </div>
          {current.kind === 'done' && (
            <table className="cmp-table">
              <caption>
                Schedules (paths of atomic steps from the start to the end of the run) by how they end and what they pass through:{' '}
                {findVariant(before)?.title ?? before} → {findVariant(after)?.title ?? after}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Outcome or event</th>
                  <th scope="col">{before}</th>
                  <th scope="col">{after}</th>
                  <th scope="col">Change, before → after</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.name} className={`cmp-${r.change}`} aria-label={r.text}>
                    <th scope="row">{r.name}</th>
                    <td>{formatCount(r.before)}</td>
                    <td>{formatCount(r.after)}</td>
                    <td>{changeWords(r.change, before, after)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <AlignedTimelines scenarioPids={pids} before={before} after={after} />
        </>
      )}
    </section>
  );
}
