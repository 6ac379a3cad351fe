/** Between the store and share links: open a view from a link, and the link of what is open. */
import { findPreset } from '../scenarios/index.ts';
import { decodeLink, encodeLink } from '../share/link.ts';
import { createFaultlineStore, type FaultlineData, type FaultlineStoreApi } from './faultline.ts';

/** The fragment (without '#') that restores this view. */
export function linkOf(state: FaultlineData): string {
  return encodeLink({
    scenario: state.scenario,
    preset: findPreset(state.scenario.id) === state.scenario,
    variant: state.variant,
    schedule: state.schedule,
    cursor: state.cursor,
    statechartPid: state.statechartPid,
    timelineWindow: state.timelineWindow,
  });
}

/** A store opened on the link's view, or on the default view with the reason the link was refused. */
export function storeFromLink(fragment: string): FaultlineStoreApi {
  if (fragment === '' || fragment === '#') return createFaultlineStore();
  const decoded = decodeLink(fragment);
  if (!decoded.ok) {
    const store = createFaultlineStore();
    store.setState({ notice: `This link could not be opened: ${decoded.problems.join('; ')}. Showing the default scenario instead.` });
    return store;
  }
  const store = createFaultlineStore(decoded.view);
  noteProblems(store, decoded.problems);
  return store;
}

/**
 * Open a link in a running page (Back/Forward, a pasted fragment). A link
 * that cannot be opened changes nothing but the notice.
 */
export function openLink(store: FaultlineStoreApi, fragment: string): void {
  const decoded = decodeLink(fragment);
  if (!decoded.ok) {
    store.setState({ notice: `This link could not be opened: ${decoded.problems.join('; ')}. Nothing you had open was changed.` });
    return;
  }
  store.getState().openView(decoded.view);
  noteProblems(store, decoded.problems);
}

function noteProblems(store: FaultlineStoreApi, problems: readonly string[]): void {
  const refused = store.getState().notice;
  const all = [...problems, ...(refused === null ? [] : [refused])];
  if (all.length > 0) store.setState({ notice: `The link was opened with changes: ${all.join('; ')}.` });
}
