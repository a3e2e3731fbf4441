/** What the workload did to each order, so the final check can tell acknowledged from lost. */
export interface OrderEntry {
  id: number;
  theatreId: number;
  token: string;
  method: 'online' | 'cash';
  phone: string;
  scenario: string;
  /** Staff cancels answered 200, and 409. */
  cancelsOk: number;
  cancelsRefused: number;
  /** Staff refunds answered 200. */
  refundsOk: number;
}

export interface ChatEntry {
  /** `in` from a guest (WhatsApp webhook) or `out` from staff (REST). */
  direction: 'in' | 'out';
  text: string;
  phone: string;
  /** The only theatre the guest has paid at: the one whose staff may see this. */
  theatreId: number;
  waId?: string;
  /** For `out`: the API accepted it (201), so it must leave exactly once. */
  accepted?: boolean;
}

/** Running totals printed every 10 s and in the summary. */
export class Ledger {
  readonly orders = new Map<number, OrderEntry>();
  readonly chat: ChatEntry[] = [];
  readonly violations: string[] = [];
  /** Violations by kind, with the first few examples of each. */
  readonly kinds = new Map<string, { count: number; examples: string[] }>();
  readonly scenarios: Record<string, number> = {};
  /** `<method> <route> <status>` counts. */
  readonly answers: Record<string, number> = {};
  requestErrors = 0;
  throttled = 0;

  violation(kind: string, detail: string): void {
    this.violations.push(`${kind}: ${detail}`);
    const k = this.kinds.get(kind) ?? { count: 0, examples: [] };
    k.count++;
    if (k.examples.length < 3) {
      k.examples.push(detail);
      console.error(`VIOLATION ${kind}: ${detail}`);
    }
    this.kinds.set(kind, k);
  }

  answer(route: string, status: number): void {
    const key = `${route} ${status}`;
    this.answers[key] = (this.answers[key] ?? 0) + 1;
    if (status === 429) this.throttled++;
    if (status >= 500) this.violation('5xx answer', `${route} answered ${status}`);
  }

  scenario(name: string): void {
    this.scenarios[name] = (this.scenarios[name] ?? 0) + 1;
  }
}
