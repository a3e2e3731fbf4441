import type { ComponentChildren, VNode } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, api, errorText } from '../lib/api.js';
import { CREDIT_NOTE_PREFIX, gstinProblem, INVOICE_PREFIX_FORMAT, type GatewayName, type TheatreView as Theatre } from '../../../src/protocol/index.js';
import { Problem, Said } from './notes.js';

/*
 * The admin's form for a theatre's business settings (SPEC §6). Every field is checked here the
 * way the server checks it (src/theatres/settings.input.ts; the GSTIN by the same function), so
 * a mistake is shown next to its field before anything is sent; what the server still refuses
 * comes back in `error.fields` and lands next to the same fields.
 */

const MAX_TAXES = 6;
const COMMON_ZONES = ['Asia/Kolkata', 'Asia/Colombo', 'Asia/Kathmandu', 'Asia/Dhaka', 'Asia/Dubai', 'Asia/Singapore', 'Europe/London', 'America/New_York', 'UTC'];
const GATEWAYS: Array<[GatewayName, string]> = [
  ['simulated', 'Simulated (testing only)'],
  ['razorpay', 'Razorpay'],
  ['cashfree', 'Cashfree'],
  ['phonepe', 'PhonePe'],
];
const PERCENT = /^\d{1,3}(\.\d{1,2})?$/;

interface TaxRow {
  key: number;
  name: string;
  rate: string;
}

interface Values {
  legalName: string;
  gstin: string;
  address: string;
  timeZone: string;
  taxes: TaxRow[];
  pricesIncludeTax: boolean;
  discountPercent: string;
  discountMessage: string;
  invoicePrefix: string;
  refundApproval: 'none' | 'code';
  approverPhone: string;
  gateway: GatewayName;
}

/** Messages by the body path they are about (`gstin`, `taxes.1.rate`, `taxes`). */
type Errors = Record<string, string>;

let nextKey = 0;

function valuesOf(t: Theatre): Values {
  return {
    legalName: t.legalName ?? '',
    gstin: t.gstin ?? '',
    address: t.address ?? '',
    timeZone: t.timeZone,
    taxes: t.taxes.map((x) => ({ key: ++nextKey, name: x.name, rate: String(x.rate) })),
    pricesIncludeTax: t.pricesIncludeTax,
    discountPercent: String(t.discountPercent),
    discountMessage: t.discountMessage ?? '',
    invoicePrefix: t.invoicePrefix,
    refundApproval: t.refundApproval,
    approverPhone: t.approverPhone ?? '',
    gateway: t.gateway,
  };
}

const sentence = (s: string) => (s ? `${s[0]!.toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}` : s);

function percentProblem(value: string, what: string): string {
  const s = value.trim();
  if (!PERCENT.test(s)) return `${what} is a percentage like 5 or 2.5 (at most two decimals).`;
  if (Number(s) > 100) return `${what} is at most 100.`;
  return '';
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-IN', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

/** Everything the server would refuse in these values, by field. */
export function settingsErrors(v: Values): Errors {
  const e: Errors = {};
  if (v.legalName.trim().length > 200) e['legalName'] = 'The legal name is at most 200 characters.';
  const gstin = v.gstin.trim().toUpperCase();
  if (gstin) {
    const problem = gstinProblem(gstin);
    if (problem) e['gstin'] = sentence(problem);
  }
  if (v.address.trim().length > 500) e['address'] = 'The address is at most 500 characters.';
  if (!validZone(v.timeZone.trim())) e['timeZone'] = 'Choose a time zone such as Asia/Kolkata.';
  const seen = new Set<string>();
  v.taxes.forEach((t, i) => {
    const name = t.name.trim();
    if (!name) e[`taxes.${i}.name`] = 'Name the tax (e.g. CGST).';
    else if (name.length > 40) e[`taxes.${i}.name`] = 'A tax name is at most 40 characters.';
    else if (seen.has(name)) e[`taxes.${i}.name`] = 'Another tax has this name.';
    seen.add(name);
    const rate = percentProblem(t.rate, 'The rate');
    if (rate) e[`taxes.${i}.rate`] = rate;
  });
  if (v.taxes.length > MAX_TAXES) e['taxes'] = `At most ${MAX_TAXES} taxes.`;
  const discount = v.discountPercent.trim() === '' ? '' : percentProblem(v.discountPercent, 'The discount');
  if (discount) e['discountPercent'] = discount;
  if (v.discountMessage.trim().length > 200) e['discountMessage'] = 'The message is at most 200 characters.';
  const prefix = v.invoicePrefix.trim().toUpperCase();
  if (!INVOICE_PREFIX_FORMAT.test(prefix)) e['invoicePrefix'] = 'The prefix is 1 to 4 capital letters or digits (e.g. INV).';
  else if (prefix === CREDIT_NOTE_PREFIX) e['invoicePrefix'] = `${CREDIT_NOTE_PREFIX} numbers the credit notes: choose another prefix.`;
  if (v.refundApproval === 'code' && !v.approverPhone.trim()) e['approverPhone'] = "Approval by code needs the approver's WhatsApp number.";
  return e;
}

function bodyOf(v: Values): Record<string, unknown> {
  const text = (s: string) => s.trim() || null;
  return {
    legalName: text(v.legalName),
    gstin: text(v.gstin.toUpperCase()),
    address: text(v.address),
    timeZone: v.timeZone.trim(),
    taxes: v.taxes.map((t) => ({ name: t.name.trim(), rate: Number(t.rate.trim()) })),
    pricesIncludeTax: v.pricesIncludeTax,
    discountPercent: v.discountPercent.trim() === '' ? 0 : Number(v.discountPercent.trim()),
    discountMessage: text(v.discountMessage),
    invoicePrefix: v.invoicePrefix.trim().toUpperCase(),
    refundApproval: v.refundApproval,
    approverPhone: text(v.approverPhone),
    gateway: v.gateway,
  };
}

const idOf = (path: string) => `ts-${path.replace(/\./g, '-')}`;

/** Attributes tying a control to its message. */
function invalid(errors: Errors, path: string, hint?: boolean): Record<string, string | undefined> {
  const described = [hint ? `${idOf(path)}-hint` : '', errors[path] ? `${idOf(path)}-error` : ''].filter(Boolean).join(' ');
  return { id: idOf(path), 'aria-invalid': errors[path] ? 'true' : undefined, 'aria-describedby': described || undefined };
}

function FieldError(props: { errors: Errors; path: string }): VNode | null {
  const message = props.errors[props.path];
  return message ? (
    <p id={`${idOf(props.path)}-error`} class="error field-error">
      {message}
    </p>
  ) : null;
}

function Field(props: { path: string; label: string; errors: Errors; hint?: string; children: ComponentChildren }): VNode {
  return (
    <div class="field">
      <label for={idOf(props.path)}>{props.label}</label>
      {props.children}
      {props.hint ? (
        <p id={`${idOf(props.path)}-hint`} class="small muted hint">
          {props.hint}
        </p>
      ) : null}
      <FieldError errors={props.errors} path={props.path} />
    </div>
  );
}

/** "Business settings" of one theatre, for admins (mounted on the admin theatre page). */
export function TheatreSettingsForm(props: { theatre: Theatre; onSaved(t: Theatre): void }): VNode {
  const [values, setValues] = useState<Values>(() => valuesOf(props.theatre));
  const [errors, setErrors] = useState<Errors>({});
  const [said, setSaid] = useState('');
  const [problem, setProblem] = useState('');
  const [busy, setBusy] = useState(false);

  const change = (patch: Partial<Values>, ...paths: string[]) => {
    setValues((v) => ({ ...v, ...patch }));
    setSaid('');
    if (paths.some((p) => errors[p])) setErrors((es) => Object.fromEntries(Object.entries(es).filter(([k]) => !paths.includes(k))));
  };
  const text = (path: keyof Values) => ({
    ...invalid(errors, path),
    name: path,
    value: values[path] as string,
    onInput: (e: Event) => change({ [path]: (e.currentTarget as HTMLInputElement).value } as Partial<Values>, path),
  });
  const setTax = (i: number, patch: Partial<TaxRow>, path: string) =>
    change({ taxes: values.taxes.map((t, j) => (j === i ? { ...t, ...patch } : t)) }, path, 'taxes');
  // Removing a row renumbers the ones after it: their messages no longer point at the right row.
  const removeTax = (i: number) => {
    setValues((v) => ({ ...v, taxes: v.taxes.filter((_, j) => j !== i) }));
    setErrors((es) => Object.fromEntries(Object.entries(es).filter(([k]) => !k.startsWith('taxes'))));
    setSaid('');
  };
  const addTax = () => change({ taxes: [...values.taxes, { key: ++nextKey, name: '', rate: '' }] }, 'taxes');

  const showErrors = (found: Errors, form: HTMLFormElement) => {
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first) (form.querySelector<HTMLElement>(`#${idOf(first)}`) ?? form.querySelector<HTMLElement>('[aria-invalid="true"]'))?.focus();
  };

  const save = async (ev: Event) => {
    ev.preventDefault();
    const form = ev.currentTarget as HTMLFormElement;
    setSaid('');
    setProblem('');
    const found = settingsErrors(values);
    if (Object.keys(found).length > 0) return showErrors(found, form);
    setBusy(true);
    try {
      const { theatre } = await api<{ theatre: Theatre }>('PATCH', `/api/theatres/${props.theatre.id}`, bodyOf(values));
      setValues(valuesOf(theatre));
      setErrors({});
      props.onSaved(theatre);
      setSaid('Business settings saved.');
    } catch (err) {
      const fromServer: Errors = {};
      if (err instanceof ApiError) for (const f of err.fields) if (f.path) fromServer[f.path.split('.').length === 2 && f.path.startsWith('taxes.') ? 'taxes' : f.path] ??= sentence(f.message);
      if (Object.keys(fromServer).length > 0) {
        showErrors(fromServer, form);
        setProblem('Some settings were not accepted: see the messages next to them.');
      } else setProblem(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card business-settings" aria-labelledby="business-title">
      <h2 id="business-title">Business settings</h2>
      <form class="stack" noValidate onSubmit={(ev) => void save(ev)}>
        <Field path="legalName" label="Legal name (on invoices)" errors={errors}>
          <input {...text('legalName')} autocomplete="organization" maxLength={200} />
        </Field>
        <Field path="gstin" label="GSTIN" errors={errors} hint="15 characters, e.g. 27AAPFU0939F1ZV; leave empty if not registered.">
          <input {...text('gstin')} {...invalid(errors, 'gstin', true)} autocomplete="off" spellcheck={false} maxLength={15} class="upper" />
        </Field>
        <Field path="address" label="Address (on invoices)" errors={errors}>
          <textarea {...text('address')} rows={3} maxLength={500} />
        </Field>
        <Field path="timeZone" label="Time zone" errors={errors} hint="Days, hours and financial years of reports and tickets follow it.">
          <input {...text('timeZone')} {...invalid(errors, 'timeZone', true)} list="ts-zones" autocomplete="off" />
          <datalist id="ts-zones">
            {COMMON_ZONES.map((z) => (
              <option value={z} />
            ))}
          </datalist>
        </Field>

        <fieldset class="taxes" aria-describedby={errors['taxes'] ? `${idOf('taxes')}-error` : undefined}>
          <legend>Taxes</legend>
          {values.taxes.length === 0 ? <p class="small muted">No taxes: guests pay the menu prices.</p> : null}
          {values.taxes.map((t, i) => (
            <div class="tax-row" key={t.key} data-tax-row={i}>
              <div class="field">
                <label for={idOf(`taxes.${i}.name`)}>Tax {i + 1} name</label>
                <input {...invalid(errors, `taxes.${i}.name`)} value={t.name} maxLength={40} placeholder="CGST" onInput={(e) => setTax(i, { name: e.currentTarget.value }, `taxes.${i}.name`)} />
                <FieldError errors={errors} path={`taxes.${i}.name`} />
              </div>
              <div class="field">
                <label for={idOf(`taxes.${i}.rate`)}>Tax {i + 1} rate (%)</label>
                <input {...invalid(errors, `taxes.${i}.rate`)} value={t.rate} inputMode="decimal" placeholder="2.5" onInput={(e) => setTax(i, { rate: e.currentTarget.value }, `taxes.${i}.rate`)} />
                <FieldError errors={errors} path={`taxes.${i}.rate`} />
              </div>
              <button type="button" class="link small" aria-label={`Remove tax ${i + 1}${t.name ? ` (${t.name})` : ''}`} onClick={() => removeTax(i)}>
                Remove
              </button>
            </div>
          ))}
          <FieldError errors={errors} path="taxes" />
          <button type="button" class="secondary" onClick={addTax} disabled={values.taxes.length >= MAX_TAXES}>
            Add a tax
          </button>
        </fieldset>

        <fieldset class="radio-group">
          <legend>Menu prices</legend>
          <label class="switch">
            <input type="radio" name="pricesIncludeTax" checked={!values.pricesIncludeTax} onChange={() => change({ pricesIncludeTax: false })} /> Taxes are added to the menu prices
          </label>
          <label class="switch">
            <input type="radio" name="pricesIncludeTax" checked={values.pricesIncludeTax} onChange={() => change({ pricesIncludeTax: true })} /> Menu prices include the taxes
          </label>
        </fieldset>

        <Field path="discountPercent" label="Discount on every order (%)" errors={errors}>
          <input {...text('discountPercent')} inputMode="decimal" />
        </Field>
        <Field path="discountMessage" label="Discount message shown to guests" errors={errors}>
          <input {...text('discountMessage')} maxLength={200} placeholder="Weekday offer: 10% off" />
        </Field>
        <Field path="invoicePrefix" label="Invoice number prefix" errors={errors} hint="1 to 4 capital letters or digits, not CN: INV gives INV/2026-27/1.">
          <input {...text('invoicePrefix')} {...invalid(errors, 'invoicePrefix', true)} maxLength={4} autocomplete="off" class="upper" />
        </Field>
        <Field path="refundApproval" label="Refunds by staff" errors={errors}>
          <select
            {...invalid(errors, 'refundApproval')}
            name="refundApproval"
            value={values.refundApproval}
            onChange={(e) => change({ refundApproval: e.currentTarget.value as Values['refundApproval'] }, 'refundApproval', 'approverPhone')}
          >
            <option value="none">No approval needed</option>
            <option value="code">Need a code sent to the approver</option>
          </select>
        </Field>
        <Field path="approverPhone" label="Approver's WhatsApp number" errors={errors} hint="Receives the refund codes, e.g. +919876543210.">
          <input {...text('approverPhone')} {...invalid(errors, 'approverPhone', true)} type="tel" autocomplete="off" />
        </Field>
        <Field path="gateway" label="Payment gateway" errors={errors}>
          <select {...invalid(errors, 'gateway')} name="gateway" value={values.gateway} onChange={(e) => change({ gateway: e.currentTarget.value as GatewayName }, 'gateway')}>
            {GATEWAYS.map(([value, label]) => (
              <option value={value}>{label}</option>
            ))}
          </select>
        </Field>

        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save business settings'}
        </button>
        <Said text={said} />
        <Problem text={problem} />
      </form>
    </section>
  );
}
