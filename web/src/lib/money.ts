/** Money is paise underneath (SPEC §4) and rupees on screen. */
export function rupees(paise: number): string {
  const r = paise / 100;
  return `₹${Number.isInteger(r) ? r.toString() : r.toFixed(2)}`;
}

/** Parses what a person typed in rupees ("250", "12.5") into paise; null when it is not a price. */
export function paiseFromRupees(input: string): number | null {
  const s = input.trim();
  if (!/^\d{1,7}(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}
