/** Announces each step and the outcome to screen readers. */
import { describeOutcome, outcomeOf } from '../sim/outcome.ts';
import { useCurrentState, useFaultline } from './store-context.tsx';

export function LiveRegion() {
  const cursor = useFaultline((s) => s.cursor);
  const last = useFaultline((s) => (s.cursor > 0 ? s.trace[s.cursor - 1] : undefined));
  const state = useCurrentState();
  const outcome = state === undefined ? null : outcomeOf(state);
  const text = last === undefined ? 'Step 0: nothing has run yet.' : `Step ${cursor}: pid ${last.pid}, ${last.label}.${outcome !== null ? ` ${describeOutcome(outcome)}` : ''}`;
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {text}
    </div>
  );
}
