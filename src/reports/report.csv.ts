import type { SalesReport } from './report.service.js';

/** The CSV columns, in order: the JSON row's field names (SPEC §6). Money columns are rupees. */
export const SALES_CSV_COLUMNS = ['key', 'orders', 'gross', 'discount', 'tax', 'refunds', 'net'] as const;
export const ITEM_CSV_COLUMNS = ['key', 'itemId', 'quantity', 'gross'] as const;
const MONEY = new Set(['gross', 'discount', 'tax', 'refunds', 'net']);

/** Paise as rupees with two decimals, exactly (no float): 123456 → "1234.56", -5 → "-0.05". */
export function rupees(paise: number): string {
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(paise);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, with quotes doubled.
 * A text field starting with = + - @ (or tab/CR) is prefixed with ' so a spreadsheet shows an item
 * named "=HYPERLINK(…)" as text instead of running it (OWASP "CSV injection").
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The report's rows as CSV: a header row, then one line per row, CRLF line ends. */
export function salesCsv(report: SalesReport): string {
  const columns: readonly string[] = report.groupBy === 'item' ? ITEM_CSV_COLUMNS : SALES_CSV_COLUMNS;
  const lines = [columns.join(',')];
  for (const row of report.rows as unknown as Array<Record<string, string | number>>) {
    lines.push(columns.map((c) => (c === 'key' ? csvField(String(row[c])) : MONEY.has(c) ? rupees(row[c] as number) : String(row[c]))).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
