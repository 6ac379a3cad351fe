/**
 * Which of the model's locks a lockdep class is. Lockdep names a class by
 * the lock's key (kernel/locking/lockdep.c: the `name` of the lockdep_map,
 * `#N` for the N-th class of that name, `/N` for a subclass):
 *
 * - `&mm->mmap_sem` (before 5.8) and `&mm->mmap_lock` (include/linux/mmap_lock.h):
 *   one per mm;
 * - `&sb->s_type->i_mutex_key` and `&type->i_mutex_dir_key` (fs/inode.c:
 *   lockdep_annotate_inode_mutex_key; the key kept its name when i_mutex
 *   became i_rwsem in 4.7), `&inode->i_mutex`, `&inode->i_rwsem`: one per inode;
 * - `&mapping->i_mmap_rwsem` (3.19+), `&mapping->i_mmap_mutex` (before): per mapping;
 * - `&mapping->invalidate_lock` and `mapping.invalidate_lock` (5.15+): per mapping.
 *
 * Every other class becomes a named lock of its own: a mutex, or an rwsem
 * when the report shows it taken for read (usage bits, a read primitive in a
 * stack, `rlock` in the scenario). The page lock and gfs2 glocks do not
 * appear in reports: lock_page sleeps on a page bit with no lockdep_map
 * (the 4.14 crossrelease experiment, reverted in 4.15, was the exception),
 * and gfs2_glock_nq waits on a holder bit likewise (inferred from
 * fs/gfs2/glock.c; no report naming a glock was found).
 */
import { baseClass } from '../../sim/splat/parse.ts';

export type ModelClass =
  | { readonly kind: 'mmap_lock' }
  | { readonly kind: 'i_rwsem'; readonly dir: boolean }
  | { readonly kind: 'i_mmap' }
  | { readonly kind: 'invalidate_lock' }
  | { readonly kind: 'named' };

export function modelClassOf(cls: string): ModelClass {
  const base = baseClass(cls);
  if (/^&mm->mmap_(?:sem|lock)$/.test(base)) return { kind: 'mmap_lock' };
  if (/i_mutex_dir_key/.test(base)) return { kind: 'i_rwsem', dir: true };
  if (/^(?:&sb->s_type->i_mutex_key|&inode->i_mutex|&inode->i_rwsem|&sb->s_type->i_rwsem_key)$/.test(base)) return { kind: 'i_rwsem', dir: false };
  if (/^&mapping->i_mmap_(?:rwsem|mutex)$/.test(base)) return { kind: 'i_mmap' };
  if (/^(?:&mapping->invalidate_lock|mapping\.invalidate_lock|&sb->s_type->invalidate_lock_key)$/.test(base)) return { kind: 'invalidate_lock' };
  return { kind: 'named' };
}

/** A short identifier for a named lock: `&oi->ip_alloc_sem` → ip_alloc_sem, `sb_writers#3` → sb_writers_3. */
export function lockNameOf(cls: string, taken: ReadonlySet<string>): string {
  const version = /#(\d+)(?:\/\d+)?$/.exec(cls)?.[1];
  const parts = baseClass(cls).match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  let name = (parts[parts.length - 1] ?? 'lock').slice(0, 24);
  if (!/^[A-Za-z_]/.test(name)) name = `l_${name}`;
  if (version !== undefined) name = `${name}_${version}`;
  let unique = name;
  for (let n = 2; taken.has(unique); n++) unique = `${name}_${n}`;
  return unique;
}
