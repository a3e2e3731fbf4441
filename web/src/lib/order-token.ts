/** A guest's order tokens, kept on this device by order id. */
const KEY = (orderId: number) => `s2f.order.${orderId}`;

export function saveOrderToken(orderId: number, token: string): void {
  try {
    localStorage.setItem(KEY(orderId), token);
  } catch {
    // Private mode without storage: the page still works until it is closed.
  }
  memory.set(orderId, token);
}

export function orderToken(orderId: number): string | null {
  try {
    return localStorage.getItem(KEY(orderId)) ?? memory.get(orderId) ?? null;
  } catch {
    return memory.get(orderId) ?? null;
  }
}

const memory = new Map<number, string>();
