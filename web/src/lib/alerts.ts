import { rupees } from './money.js';
import type { OrderView as Order } from '../../../src/protocol/index.js';

let audio: AudioContext | null = null;

/** Made (or resumed) inside a click, since browsers only start audio after a gesture. */
export function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
  } catch {
    audio = null;
  }
}

/** A short two-tone beep made with Web Audio: no sound file to load. */
export function beep(): void {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    const start = ctx.currentTime;
    for (const [i, freq] of [880, 1175].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t = start + i * 0.18;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.16);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.17);
    }
  } catch {
    // No audio on this device: the card and the notification still show.
  }
}

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export async function askNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

/** Beep and a browser notification for a new order to serve. */
export function announceNewOrder(order: Order): void {
  beep();
  if (!notificationsSupported() || Notification.permission !== 'granted') return;
  try {
    const items = order.items.map((i) => `${i.quantity}× ${i.name}`).join(', ');
    new Notification(`New order · seat ${order.seat.name}`, {
      body: `${order.seat.hall}, row ${order.seat.row} · ${rupees(order.amount)}\n${items}`,
      tag: `order-${order.id}`,
    });
  } catch {
    // Some browsers only allow notifications from a service worker; the beep was enough.
  }
}
