import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { Shell, SignedIn } from '../components/session.js';
import { api, errorText } from '../lib/api.js';
import type { AccountView as Account, LayoutView as Layout, TheatreView as Theatre } from '../../../src/protocol/index.js';
import { Problem } from '../components/notes.js';

type Hall = Layout['halls'][number];

export const QR_OPTIONS = { type: 'svg', errorCorrectionLevel: 'M', margin: 1 } as const;

interface SeatCode {
  seatId: number;
  seat: string;
  row: string;
  url: string;
  image: string;
}

/** Finds the hall: in the theatre named by `?theatre=` when given, else in every theatre. */
async function findHall(hallId: number): Promise<{ theatre: Theatre | null; hall: Hall } | null> {
  const hinted = Number(new URLSearchParams(location.search).get('theatre'));
  const { theatres } = await api<{ theatres: Theatre[] }>('GET', '/api/theatres');
  const order = [...theatres].sort((a, b) => (a.id === hinted ? -1 : b.id === hinted ? 1 : 0));
  for (const theatre of order) {
    const layout = await api<Layout>('GET', `/api/theatres/${theatre.id}/layout`);
    const hall = layout.halls.find((h) => h.id === hallId);
    if (hall) return { theatre, hall };
  }
  return null;
}

/** One QR code per seat, each opening `<origin>/s/<seatId>`, made with the `qrcode` library. */
async function codesFor(hall: Hall): Promise<SeatCode[]> {
  const codes: SeatCode[] = [];
  for (const row of hall.rows) {
    for (const seat of row.seats) {
      const url = `${location.origin}/s/${seat.id}`;
      // SVG: sharp at any print size, and the same text for the same URL (tests compare it).
      const svg = await QRCode.toString(url, QR_OPTIONS);
      const image = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
      codes.push({ seatId: seat.id, seat: seat.name, row: row.name, url, image });
    }
  }
  return codes;
}

function Sheet(props: { account: Account; hallId: number }): VNode {
  const [hall, setHall] = useState<{ theatre: Theatre | null; hall: Hall } | null>(null);
  const [codes, setCodes] = useState<SeatCode[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    findHall(props.hallId)
      .then(async (found) => {
        if (!found) return setError('No such hall.');
        setHall(found);
        setCodes(await codesFor(found.hall));
      })
      .catch((err: unknown) => setError(errorText(err)));
  }, [props.hallId]);
  const title = hall ? `QR codes · ${hall.theatre?.name ?? ''} · ${hall.hall.name}` : 'QR codes';
  return (
    <Shell account={props.account} title={title}>
      <div class="toolbar no-print">
        {hall?.theatre ? <a href={`/admin/theatres/${hall.theatre.id}`}>← {hall.theatre.name}</a> : <a href="/admin">← Theatres</a>}
        <p role="status" aria-live="polite">
          {codes ? `${codes.length} seats ready to print.` : error ? '' : 'Making the codes…'}
        </p>
        <button type="button" class="primary" onClick={() => window.print()} disabled={!codes}>
          Print
        </button>
      </div>
      <Problem text={error} />
      <div class="qr-grid">
        {codes?.map((c) => (
          <figure class="qr-card" data-seat-id={c.seatId} data-url={c.url}>
            <img src={c.image} alt={`QR code for seat ${c.seat}, opening ${c.url}`} width="240" height="240" />
            <figcaption>
              <div class="seat">{c.seat}</div>
              <div>
                Row {c.row} · {hall?.hall.name}
              </div>
              <div class="hint">Scan to order food to your seat</div>
            </figcaption>
          </figure>
        ))}
      </div>
    </Shell>
  );
}

/** `/admin/halls/<hallId>/qr`: a printable sheet of the hall's seat codes. */
export function QrSheetPage(props: { hallId: number }): VNode {
  return (
    <SignedIn heading="Admin sign in" adminOnly={true}>
      {(account: Account) => <Sheet account={account} hallId={props.hallId} />}
    </SignedIn>
  );
}
