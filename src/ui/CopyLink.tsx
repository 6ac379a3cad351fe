/** Copy the link to this exact view; the link is also shown, to copy by hand where the clipboard is not allowed. */
import { useState } from 'react';
import { linkOf } from '../store/link.ts';
import { useFaultlineStore } from './store-context.tsx';

export function CopyLink() {
  const store = useFaultlineStore();
  const [shown, setShown] = useState<{ url: string; copied: boolean } | null>(null);
  const copy = () => {
    const url = `${window.location.origin}${window.location.pathname}#${linkOf(store.getState())}`;
    setShown({ url, copied: false });
    navigator.clipboard?.writeText(url).then(
      () => setShown({ url, copied: true }),
      () => setShown({ url, copied: false }),
    );
  };
  return (
    <span className="copy-link">
      <button type="button" onClick={copy}>
        Copy link
      </button>
      {shown !== null && (
        <>
          <input readOnly aria-label="Link to this view" value={shown.url} onFocus={(e) => e.currentTarget.select()} size={40} />
          <span role="status">{shown.copied ? 'Link copied' : 'Copy the link above'}</span>
        </>
      )}
    </span>
  );
}
