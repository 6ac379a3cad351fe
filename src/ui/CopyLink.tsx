/** Copy the link to this exact view; the link is also shown, to copy by hand where the clipboard is not allowed. */
import { useState } from 'react';
import { MAX_LINK_LENGTH } from '../share/link.ts';
import { linkOf } from '../store/link.ts';
import { useFaultlineStore } from './store-context.tsx';

export function CopyLink() {
  const store = useFaultlineStore();
  const [shown, setShown] = useState<{ url: string; copied: boolean } | null>(null);
  const copy = () => {
    const fragment = linkOf(store.getState());
    const url = `${window.location.origin}${window.location.pathname}#${fragment}`;
    setShown({ url, copied: false });
    // A link the page would refuse to open is worse than none: say so instead of copying it.
    if (fragment.length > MAX_LINK_LENGTH) {
      store.setState({ notice: `This view's link is ${fragment.length} characters, over the ${MAX_LINK_LENGTH} a link may have, so it would not open: share the scenario with "Export scenario JSON" instead, or shorten its story, sources or interleavings.` });
      setShown(null);
      return;
    }
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
        <span className="copy-link-popup">
          <input readOnly aria-label="Link to this view" value={shown.url} onFocus={(e) => e.currentTarget.select()} />
          <span role="status">{shown.copied ? 'Link copied' : 'Copy the link by hand'}</span>
          <button type="button" onClick={() => setShown(null)}>
            Close
          </button>
        </span>
      )}
    </span>
  );
}
