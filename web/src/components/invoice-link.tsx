import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError } from '../lib/api.js';
import { Problem } from './notes.js';

/** Where an order's invoice PDF is served (SPEC §6). */
export const invoicePdfPath = (orderId: number): string => `/api/orders/${orderId}/invoice.pdf`;

/** The file name the server gave in Content-Disposition, else one made from the order id. */
function filenameOf(res: Response, orderId: number): string {
  const m = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '');
  return m?.[1] ?? `invoice-${orderId}.pdf`;
}

/**
 * Fetches the PDF with the guest's order token and saves it. The token travels only in the
 * Authorization header, as for every other guest call: a link cannot carry a header, and a token in
 * the URL would end up in history, logs and Referer headers.
 */
async function downloadWithToken(orderId: number, token: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(invoicePdfPath(orderId), { headers: { authorization: `Bearer ${token}`, accept: 'application/pdf' }, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'No connection. Check the network and try again.');
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new ApiError(res.status, body?.error?.code ?? 'error', body?.error?.message ?? `The server answered ${res.status}.`);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filenameOf(res, orderId);
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked on a later turn: the download has taken the blob by then.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The guest's "Download invoice (PDF)" button on their order page (order token). */
export function GuestInvoiceButton(props: { orderId: number; token: string }): VNode {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const download = async () => {
    setBusy(true);
    setError('');
    try {
      await downloadWithToken(props.orderId, props.token);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The invoice could not be downloaded. Try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="invoice-link">
      <button type="button" class="secondary big" onClick={() => void download()} disabled={busy}>
        {busy ? 'Preparing invoice…' : 'Download invoice (PDF)'}
      </button>
      {error ? <Problem text={error} /> : null}
    </div>
  );
}

/**
 * Staff's link to an order's invoice PDF: a plain link, since the session cookie goes with it
 * (the server answers it as an attachment).
 */
export function StaffInvoiceLink(props: { orderId: number; invoiceNumber: string }): VNode {
  return (
    <a class="invoice-link" href={invoicePdfPath(props.orderId)} download aria-label={`Invoice ${props.invoiceNumber} of order ${props.orderId} (PDF)`}>
      Invoice
    </a>
  );
}
