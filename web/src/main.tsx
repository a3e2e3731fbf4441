import { render, type VNode } from 'preact';
import './styles.css';

type Page = (m: RegExpExecArray) => Promise<VNode>;

/**
 * The pages, by path. Each page's code is loaded on demand, so a guest's phone downloads only
 * the menu and payment pages, never the staff and admin screens.
 */
const ROUTES: Array<[RegExp, Page]> = [
  [/^\/s\/(\d+)\/?$/, async (m) => { const { SeatPage } = await import('./pages/seat.js'); return <SeatPage seatId={Number(m[1])} />; }],
  [/^\/o\/(\d+)\/?$/, async (m) => { const { PaymentPage } = await import('./pages/payment.js'); return <PaymentPage orderId={Number(m[1])} />; }],
  [/^\/staff\/?$/, async () => { const { DashboardPage } = await import('./pages/dashboard.js'); return <DashboardPage />; }],
  [/^\/staff\/menu\/?$/, async () => { const { MenuPage } = await import('./pages/menu.js'); return <MenuPage />; }],
  [/^\/staff\/orders\/?$/, async () => { const { PastOrdersPage } = await import('./pages/past-orders.js'); return <PastOrdersPage />; }],
  [/^\/staff\/chat\/?$/, async () => { const { ChatPage } = await import('./pages/chat.js'); return <ChatPage />; }],
  [/^\/staff\/reports\/?$/, async () => { const { ReportsPage } = await import('./pages/reports.js'); return <ReportsPage />; }],
  [/^\/admin\/?$/, async () => { const { AdminPage } = await import('./pages/admin.js'); return <AdminPage />; }],
  [/^\/admin\/theatres\/(\d+)\/?$/, async (m) => { const { TheatreAdminPage } = await import('./pages/theatre-admin.js'); return <TheatreAdminPage theatreId={Number(m[1])} />; }],
  [/^\/admin\/halls\/(\d+)\/qr\/?$/, async (m) => { const { QrSheetPage } = await import('./pages/qr-sheet.js'); return <QrSheetPage hallId={Number(m[1])} />; }],
  [/^\/$/, async () => <Home />],
];

function Home(): VNode {
  return (
    <main class="narrow">
      <h1>scan2food</h1>
      <p>Scan the QR code on your seat to order food.</p>
      <p>
        <a href="/staff">Staff sign in</a> · <a href="/admin">Admin</a>
      </p>
    </main>
  );
}

async function start(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  const path = location.pathname;
  const show = (page: VNode) => {
    root.textContent = '';
    render(page, root);
  };
  for (const [pattern, page] of ROUTES) {
    const m = pattern.exec(path);
    if (m) {
      show(await page(m));
      return;
    }
  }
  show(
    <main class="narrow">
      <h1>Not found</h1>
      <p>
        There is no page here. <a href="/">Home</a>
      </p>
    </main>,
  );
}

void start();
