/**
 * Form controls of the scenario editor. Each control knows the path of its
 * field in the documented format (`tasks[0].program[1].buf`), shows the
 * validator's messages for that path next to itself, and is labelled for
 * screen readers and tests alike.
 */
import { createContext, useContext, useId, type ReactNode } from 'react';

/** Validator messages by field path; controls read the ones for their own path. */
export const ErrorsContext = createContext<ReadonlyMap<string, readonly string[]>>(new Map());

/** Messages for a path and for anything inside it (`files[0].pages` owns `files[0].pages[2]`). */
function useErrors(path: string): readonly string[] {
  const errors = useContext(ErrorsContext);
  const out: string[] = [];
  for (const [p, messages] of errors) if (p === path || p.startsWith(`${path}[`) || p.startsWith(`${path}.`)) out.push(...messages);
  return out;
}

function FieldErrors({ id, messages }: { id: string; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <span id={id} className="field-error">
      {messages.join('; ')}
    </span>
  );
}

interface Common {
  readonly label: string;
  readonly path: string;
  /** Shown on screen; the accessible name is `label`. Defaults to the label. */
  readonly caption?: string;
}

export function TextField({ label, caption, path, value, onChange, size, inputMode }: Common & { value: string; onChange: (v: string) => void; size?: number; inputMode?: 'numeric' | 'text' }) {
  const id = useId();
  const errors = useErrors(path);
  return (
    <span className="field">
      <label htmlFor={id}>{caption ?? label}</label>
      <input
        id={id}
        aria-label={label}
        value={value}
        size={size ?? (inputMode === 'numeric' ? 4 : 12)}
        inputMode={inputMode}
        aria-invalid={errors.length > 0}
        aria-describedby={errors.length > 0 ? `${id}-e` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <FieldErrors id={`${id}-e`} messages={errors} />
    </span>
  );
}

export function NumberField(props: Common & { value: string; onChange: (v: string) => void }) {
  return <TextField {...props} inputMode="numeric" />;
}

export function TextArea({ label, path, value, onChange, rows }: Common & { value: string; onChange: (v: string) => void; rows?: number }) {
  const id = useId();
  const errors = useErrors(path);
  return (
    <span className="field field-wide">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} value={value} rows={rows ?? 2} aria-invalid={errors.length > 0} aria-describedby={errors.length > 0 ? `${id}-e` : undefined} onChange={(e) => onChange(e.target.value)} />
      <FieldErrors id={`${id}-e`} messages={errors} />
    </span>
  );
}

export function SelectField<T extends string>({
  label,
  caption,
  path,
  value,
  options,
  onChange,
}: Common & { value: T; options: readonly { readonly value: T; readonly title: string }[]; onChange: (v: T) => void }) {
  const id = useId();
  const errors = useErrors(path);
  const known = options.some((o) => o.value === value);
  return (
    <span className="field">
      <label htmlFor={id}>{caption ?? label}</label>
      <select
        id={id}
        aria-label={label}
        value={value}
        aria-invalid={errors.length > 0}
        aria-describedby={errors.length > 0 ? `${id}-e` : undefined}
        onChange={(e) => {
          const chosen = options.find((o) => o.value === e.target.value);
          if (chosen !== undefined) onChange(chosen.value);
        }}
      >
        {!known && <option value={value}>{value === '' ? '(none)' : `${value} (not defined)`}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.title}
          </option>
        ))}
      </select>
      <FieldErrors id={`${id}-e`} messages={errors} />
    </span>
  );
}

export function CheckField({ label, caption, path, checked, onChange }: Common & { checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId();
  const errors = useErrors(path);
  return (
    <span className="field field-check">
      <input id={id} type="checkbox" aria-label={label} checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{caption ?? label}</label>
      <FieldErrors id={`${id}-e`} messages={errors} />
    </span>
  );
}

/** A titled group (a file, a mapping, a task) with the messages about the group itself. */
export function Group({ legend, path, children, actions }: { legend: string; path: string; children: ReactNode; actions?: ReactNode }) {
  const errors = useContext(ErrorsContext).get(path) ?? [];
  return (
    <fieldset className="editor-group">
      <legend>{legend}</legend>
      {actions !== undefined && <span className="group-actions">{actions}</span>}
      {errors.length > 0 && <p className="field-error">{errors.join('; ')}</p>}
      {children}
    </fieldset>
  );
}
