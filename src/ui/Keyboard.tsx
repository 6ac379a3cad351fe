/**
 * Keyboard: digits step task n, ←/→ back/forward, Home/End, r reset, ? the
 * list of shortcuts. Keys typed into a form control are left alone.
 */
import { useEffect, useState } from 'react';
import { useFaultlineStore } from './store-context.tsx';

const SHORTCUTS: readonly (readonly [string, string])[] = [
  ['1 … 9', 'step task n (the key shown on its panel)'],
  ['← / →', 'back / forward one step'],
  ['Home / End', 'first / last step'],
  ['r', 'reset to step 0'],
  ['?', 'show or hide these shortcuts'],
];

function typingInto(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

export function useShortcuts(): [boolean, (open: boolean) => void] {
  const store = useFaultlineStore();
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingInto(e.target)) return;
      const s = store.getState();
      if (/^[1-9]$/.test(e.key)) {
        const task = s.scenario.tasks[Number(e.key) - 1];
        if (task !== undefined) s.stepTask(task.pid);
      } else if (e.key === 'ArrowLeft') s.back();
      else if (e.key === 'ArrowRight') s.forward();
      else if (e.key === 'Home') s.jumpTo(0);
      else if (e.key === 'End') s.jumpTo(s.schedule.length);
      else if (e.key === 'r') s.reset();
      else if (e.key === '?') setHelp((h) => !h);
      else if (e.key === 'Escape') setHelp(false);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
  return [help, setHelp];
}

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="shortcuts" role="dialog" aria-label="Keyboard shortcuts">
      <h2>Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>{keys}</dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <button type="button" onClick={onClose} autoFocus>
        Close
      </button>
    </div>
  );
}
