/**
 * The checkout pages' script and style, served as files so the pages' Content-Security-Policy
 * can forbid every inline script. Each page hands its data over in `data-*` attributes of
 * `#checkout` (HTML-escaped), never by writing it into script text.
 */
export const CHECKOUT_ASSETS: Record<string, { type: string; body: string }> = {
  'checkout.css': {
    type: 'text/css; charset=utf-8',
    body: `body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
button{font-size:1.1rem;padding:.8rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:.5rem;border:1px solid #444;cursor:pointer}
#pay{background:#0a7d32;color:#fff}#fail{background:#fff;color:#a00}
`,
  },
  'sim-checkout.js': {
    type: 'text/javascript; charset=utf-8',
    body: `'use strict';
const root = document.getElementById('checkout');
const back = root.dataset.back;
for (const outcome of ['pay', 'fail']) {
  document.getElementById(outcome).addEventListener('click', async () => {
    const status = document.getElementById('status');
    status.textContent = 'Processing…';
    const res = await fetch(location.pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });
    status.textContent = res.ok ? 'Done. Returning to your order…' : 'Could not complete: ' + res.status;
    if (res.ok) setTimeout(() => location.assign(back), 300);
  });
}
`,
  },
  'razorpay-checkout.js': {
    type: 'text/javascript; charset=utf-8',
    body: `'use strict';
const root = document.getElementById('checkout');
const back = root.dataset.back;
const options = JSON.parse(root.dataset.options);
options.handler = () => location.assign(back);
options.modal = { ondismiss: () => location.assign(back) };
document.getElementById('pay').addEventListener('click', () => new Razorpay(options).open());
`,
  },
  'cashfree-checkout.js': {
    type: 'text/javascript; charset=utf-8',
    body: `'use strict';
const root = document.getElementById('checkout');
const open = () => {
  const status = document.getElementById('status');
  if (typeof Cashfree !== 'function') { status.textContent = 'Could not load Cashfree checkout. Check your connection and try again.'; return; }
  Cashfree({ mode: root.dataset.mode }).checkout({ paymentSessionId: root.dataset.session, redirectTarget: '_self' });
};
document.getElementById('pay').addEventListener('click', open);
`,
  },
};
