/**
 * The URL fragment follows the view, so Back and Forward walk through the
 * steps and a copied address restores them. Moves closer together than
 * PUSH_INTERVAL_MS (Play, holding an arrow key) replace the history entry
 * instead of adding one each. The statechart's task and the timeline's zoom
 * are part of the view too, but changing them replaces the entry: Back goes
 * to the previous step, not the previous zoom.
 */
import { useEffect } from 'react';
import type { FaultlineStoreApi } from '../store/faultline.ts';
import { linkOf, openLink } from '../store/link.ts';

const PUSH_INTERVAL_MS = 400;

export function useLinkSync(store: FaultlineStoreApi): void {
  useEffect(() => {
    let lastPush = 0;
    let opening = false;
    const write = (replace: boolean) => {
      const url = `#${linkOf(store.getState())}`;
      if (window.location.hash === url) return;
      const now = performance.now();
      if (replace || now - lastPush < PUSH_INTERVAL_MS) window.history.replaceState(null, '', url);
      else window.history.pushState(null, '', url);
      lastPush = now;
    };
    write(true);
    const unsubscribe = store.subscribe((s, prev) => {
      if (opening) return;
      if (s.cursor !== prev.cursor || s.schedule !== prev.schedule || s.variant !== prev.variant || s.scenario !== prev.scenario) write(false);
      else if (s.statechartPid !== prev.statechartPid || s.timelineWindow !== prev.timelineWindow) write(true);
    });
    const onPop = () => {
      opening = true;
      openLink(store, window.location.hash);
      opening = false;
      // A repaired link is shown as what it now means.
      write(true);
    };
    window.addEventListener('popstate', onPop);
    return () => {
      unsubscribe();
      window.removeEventListener('popstate', onPop);
    };
  }, [store]);
}
