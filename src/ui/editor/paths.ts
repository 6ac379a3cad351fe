/**
 * A validator path in the editor's words: `tasks[0].program[1].buf` is
 * "task 1 (pid 101), call 2 (pread): buf". The path stays recognisable,
 * because docs/scenario-format.md names fields the same way.
 */
import type { Draft } from './draft.ts';

export function fieldTitle(path: string, draft: Draft): string {
  if (path === '') return 'scenario';
  const parts: string[] = [];
  let task: number | null = null;
  for (const segment of path.split('.')) {
    const m = /^([A-Za-z_]+)((?:\[\d+\])*)$/.exec(segment);
    if (m === null) {
      parts.push(segment);
      continue;
    }
    const name = m[1] ?? segment;
    const indexes = [...(m[2] ?? '').matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    const i = indexes[0];
    if (i === undefined) {
      parts.push(name);
      continue;
    }
    switch (name) {
      case 'files':
        parts.push(`file ${i + 1} (${draft.files[i]?.name ?? '?'})`);
        break;
      case 'mappings':
        parts.push(`mapping ${i + 1}`);
        break;
      case 'tasks':
        task = i;
        parts.push(`task ${i + 1} (pid ${draft.tasks[i]?.pid ?? '?'})`);
        break;
      case 'program':
        parts.push(`call ${i + 1} (${(task !== null ? draft.tasks[task]?.program[i]?.call : undefined) ?? '?'})`);
        break;
      case 'schedules':
        parts.push(`interleaving ${draft.schedules[i]?.name ?? i + 1}`);
        break;
      default:
        parts.push(`${name}[${indexes.join('][')}]`);
    }
  }
  return parts.join(', ');
}
