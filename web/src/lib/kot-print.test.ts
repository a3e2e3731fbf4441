import { beforeEach, describe, expect, it } from 'vitest';
import { autoPrintEnabled, autoPrintNewOrder, kotUrl, rememberPrinted, setAutoPrint, wasPrinted } from './kot-print.js';

/** localStorage as the browser has it, for this node test. */
class MemoryStorage {
  private data = new Map<string, string>();
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.data.set(k, String(v));
  }
  removeItem(k: string): void {
    this.data.delete(k);
  }
}

describe('kitchen ticket printing: the per-browser setting and the printed ids', () => {
  beforeEach(() => {
    (globalThis as { window?: unknown }).window = { localStorage: new MemoryStorage() };
  });

  it('auto-print is off until this browser turns it on, and stays as set', () => {
    expect(autoPrintEnabled()).toBe(false);
    setAutoPrint(true);
    expect(autoPrintEnabled()).toBe(true);
    setAutoPrint(false);
    expect(autoPrintEnabled()).toBe(false);
  });

  it('never auto-prints an order printed before, nor anything while the setting is off', () => {
    expect(autoPrintNewOrder({ id: 7 })).toBe(false);
    setAutoPrint(true);
    rememberPrinted(7);
    expect(autoPrintNewOrder({ id: 7 })).toBe(false);
  });

  it('remembers the last 500 printed ids, oldest forgotten first', () => {
    for (let id = 1; id <= 501; id++) rememberPrinted(id);
    expect(wasPrinted(1)).toBe(false);
    expect(wasPrinted(2)).toBe(true);
    expect(wasPrinted(501)).toBe(true);
    rememberPrinted(2); // printed again: now the newest, not forgotten next
    rememberPrinted(502);
    expect(wasPrinted(2)).toBe(true);
    expect(wasPrinted(3)).toBe(false);
  });

  it('works, printing nothing automatically, where storage is refused', () => {
    (globalThis as { window?: unknown }).window = {
      get localStorage(): Storage {
        throw new Error('SecurityError');
      },
    };
    setAutoPrint(true);
    expect(autoPrintEnabled()).toBe(false);
    rememberPrinted(1);
    expect(wasPrinted(1)).toBe(false);
  });

  it('points at the ticket, printing itself only when asked', () => {
    expect(kotUrl(12)).toBe('/api/orders/12/kot');
    expect(kotUrl(12, true)).toBe('/api/orders/12/kot?print=1');
  });
});
