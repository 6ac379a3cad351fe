/**
 * A short fingerprint of a system state (FNV-1a over its canonical JSON):
 * two people looking at the same step of the same run see the same digest.
 */
import type { SystemState } from './system.ts';

export function digestState(state: SystemState): string {
  const text = JSON.stringify(state);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
