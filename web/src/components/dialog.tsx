import { Fragment, type VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { paiseFromRupees } from '../lib/money.js';

/*
 * One small modal form, the page's own (no native browser dialogs): a title, labelled fields checked before
 * anything is sent (the message sits next to the field), a primary button and Cancel. Escape cancels;
 * focus starts on the first field (on Cancel when there are no fields, so Enter never destroys by accident).
 * A confirmation is the same dialog with no fields.
 */

export interface DialogField {
  name: string;
  label: string;
  type?: 'text' | 'password';
  value?: string;
  inputMode?: 'text' | 'decimal';
  autocomplete?: string;
  /** What is wrong with the value, or '' when it may be sent. */
  check?(value: string): string;
}

export interface DialogSpec {
  title: string;
  text?: string;
  fields?: DialogField[];
  /** The primary button's text. */
  confirm: string;
  danger?: boolean;
}

export type DialogValues = Record<string, string>;

let nextId = 0;

export function FormDialog(props: { spec: DialogSpec; onDone(values: DialogValues | null): void }): VNode {
  const { spec } = props;
  const fields = spec.fields ?? [];
  const ref = useRef<HTMLDialogElement>(null);
  const result = useRef<DialogValues | null>(null);
  const [id] = useState(() => `dlg-${++nextId}`);
  const [values, setValues] = useState<DialogValues>(() => Object.fromEntries(fields.map((f) => [f.name, f.value ?? ''])));
  const [errors, setErrors] = useState<DialogValues>({});

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const closed = () => props.onDone(result.current);
    dialog.addEventListener('close', closed);
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>(fields.length > 0 ? 'input' : 'button[data-cancel]');
    first?.focus();
    if (first instanceof HTMLInputElement) first.select();
    return () => dialog.removeEventListener('close', closed);
  }, []);

  const submit = (ev: Event) => {
    ev.preventDefault();
    const found: DialogValues = {};
    for (const f of fields) {
      const problem = f.check?.(values[f.name] ?? '') ?? '';
      if (problem) found[f.name] = problem;
    }
    setErrors(found);
    const bad = fields.find((f) => found[f.name]);
    if (bad) {
      ref.current?.querySelector<HTMLInputElement>(`#${id}-${bad.name}`)?.focus();
      return;
    }
    result.current = values;
    ref.current?.close();
  };

  return (
    <dialog ref={ref} class="form-dialog" aria-labelledby={`${id}-title`} aria-describedby={spec.text ? `${id}-text` : undefined}>
      <form class="stack" noValidate onSubmit={submit}>
        <h2 id={`${id}-title`}>{spec.title}</h2>
        {spec.text ? <p id={`${id}-text`}>{spec.text}</p> : null}
        {fields.map((f) => {
          const fieldId = `${id}-${f.name}`;
          const error = errors[f.name];
          const common = {
            id: fieldId,
            name: f.name,
            inputMode: f.inputMode,
            autocomplete: f.autocomplete ?? 'off',
            value: values[f.name] ?? '',
            'aria-invalid': error ? ('true' as const) : undefined,
            'aria-describedby': error ? `${fieldId}-error` : undefined,
            onInput: (e: Event) => {
              const value = (e.currentTarget as HTMLInputElement).value;
              setValues((v) => ({ ...v, [f.name]: value }));
              if (errors[f.name]) setErrors((es) => ({ ...es, [f.name]: '' }));
            },
          };
          return (
            <div class="field">
              <label for={fieldId}>{f.label}</label>
              {f.type === 'password' ? <input type="password" {...common} /> : <input type="text" {...common} />}
              {error ? (
                <p id={`${fieldId}-error`} class="error field-error">
                  {error}
                </p>
              ) : null}
            </div>
          );
        })}
        <div class="dialog-actions">
          <button type="button" data-cancel onClick={() => ref.current?.close()}>
            Cancel
          </button>
          <button type="submit" class={spec.danger ? 'danger' : 'primary'}>
            {spec.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/**
 * A dialog opened from code that answers a promise: `open(arg)` shows `render(arg, done)` and
 * resolves with what it passes to `done`, closing it; render `element`. Each opening is a fresh
 * element (its own key), so no state leaks from the last one.
 */
export function useDialogPromise<A, R>(render: (arg: A, done: (result: R) => void) => VNode): { open(arg: A): Promise<R>; element: VNode | null } {
  const [current, setCurrent] = useState<{ key: number; arg: A; resolve(result: R): void } | null>(null);
  return {
    open: (arg) => new Promise((resolve) => setCurrent({ key: ++nextId, arg, resolve })),
    element: current ? (
      <Fragment key={current.key}>
        {render(current.arg, (result) => {
          setCurrent(null);
          current.resolve(result);
        })}
      </Fragment>
    ) : null,
  };
}

/** `ask(spec)` opens the dialog and resolves with the checked values, or null when cancelled; render `element`. */
export function useDialog(): { ask(spec: DialogSpec): Promise<DialogValues | null>; element: VNode | null } {
  const { open, element } = useDialogPromise<DialogSpec, DialogValues | null>((spec, done) => <FormDialog spec={spec} onDone={done} />);
  return { ask: open, element };
}

/** Yes or no: true only when the primary button was pressed. */
export async function confirmed(ask: (spec: DialogSpec) => Promise<DialogValues | null>, spec: DialogSpec): Promise<boolean> {
  return (await ask({ ...spec, fields: [] })) !== null;
}

/*
 * Checks mirroring the server's limits: src/theatres/manage.input.ts (names, prices) and
 * src/accounts/staff.input.ts (passwords). The server checks again; these only spare a round trip.
 */
export const MAX_NAME_LENGTH = 100;
export const MAX_PRICE_PAISE = 10_000_000;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

export function checkName(value: string): string {
  const s = value.trim();
  if (!s) return 'Enter a name.';
  if (s.length > MAX_NAME_LENGTH) return `A name is at most ${MAX_NAME_LENGTH} characters.`;
  return '';
}

export function checkPrice(value: string): string {
  const paise = paiseFromRupees(value);
  if (paise === null) return 'Price must be in rupees, like 120 or 99.50.';
  if (paise < 1) return 'Price must be at least ₹0.01.';
  if (paise > MAX_PRICE_PAISE) return `Price must be at most ₹${MAX_PRICE_PAISE / 100}.`;
  return '';
}

export function checkPassword(value: string): string {
  if (value.length < MIN_PASSWORD_LENGTH) return `A password is at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (value.length > MAX_PASSWORD_LENGTH) return `A password is at most ${MAX_PASSWORD_LENGTH} characters.`;
  return '';
}
