/** Gapless document numbers (migration 0006): the last number given per theatre, series and financial year. */
export type DocumentSeries = 'invoice' | 'credit_note';

export interface DocumentCounterTable {
  theatre_id: number;
  series: DocumentSeries;
  /** '2026-27': the financial year runs 1 April to 31 March in the theatre's time zone. */
  fiscal_year: string;
  last_number: number;
}
