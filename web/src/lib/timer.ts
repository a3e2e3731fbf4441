/** "mm:ss" elapsed since `fromIso`, and whether it is past `maxMinutes`. */
export function elapsed(fromIso: string, now: number, maxMinutes: number): { text: string; overdue: boolean; seconds: number } {
  const seconds = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return { text: `${m}:${String(s).padStart(2, '0')}`, overdue: seconds > maxMinutes * 60, seconds };
}
