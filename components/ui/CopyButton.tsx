'use client';

import { useState } from 'react';

/**
 * Copies `text` to the clipboard and says so. Where the page has no clipboard (plain HTTP on another host
 * than localhost), it selects the text in `targetId` instead and asks for Ctrl+C, rather than failing quietly.
 */
export function CopyButton({ text, targetId, label = 'Copy' }: { text: string; targetId: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'select'>('idle');
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      const target = document.getElementById(targetId);
      if (target) window.getSelection()?.selectAllChildren(target);
      setState('select');
    }
  }
  return (
    <button type="button" className="secondary" onClick={() => void copy()} aria-controls={targetId}>
      {state === 'copied' ? 'Copied' : state === 'select' ? 'Selected: press Ctrl+C' : label}
    </button>
  );
}
