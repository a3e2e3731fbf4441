import type { ComponentChildren, VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../lib/api.js';
import type { AccountView as Account } from '../../../src/protocol/index.js';
import { Problem } from './notes.js';

function LoginForm(props: { onLogin(account: Account): void; heading: string }): VNode {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const userRef = useRef<HTMLInputElement>(null);
  useEffect(() => userRef.current?.focus(), []);
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const form = new FormData(ev.currentTarget as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      const { account } = await api<{ account: Account }>('POST', '/api/auth/login', {
        username: String(form.get('username') ?? ''),
        password: String(form.get('password') ?? ''),
      });
      props.onLogin(account);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="narrow">
      <h1>{props.heading}</h1>
      <form class="card stack" onSubmit={submit}>
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" required ref={userRef} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <Problem text={error} />
      </form>
    </main>
  );
}

/**
 * Shows the sign-in form until there is a session (checked with GET /api/auth/me), then the
 * page. An admin page refuses staff; a staff member opening /admin is sent to /staff.
 */
export function SignedIn(props: { heading: string; adminOnly?: boolean; children: (account: Account) => ComponentChildren }): VNode {
  const [account, setAccount] = useState<Account | null | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    api<{ account: Account }>('GET', '/api/auth/me')
      .then((r) => setAccount(r.account))
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setAccount(null);
        else setError(errorText(err));
      });
  }, []);
  if (error) {
    return (
      <main class="narrow">
        <Problem text={error} />
      </main>
    );
  }
  if (account === undefined) {
    return (
      <main class="narrow">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (account === null) return <LoginForm heading={props.heading} onLogin={setAccount} />;
  if (props.adminOnly && account.role !== 'admin') {
    return (
      <main class="narrow">
        <h1>Admins only</h1>
        <p>
          This page is for administrators. <a href="/staff">Go to your live orders</a>.
        </p>
      </main>
    );
  }
  return <>{props.children(account)}</>;
}

export async function logout(): Promise<void> {
  try {
    await api('POST', '/api/auth/logout');
  } finally {
    location.assign(location.pathname.startsWith('/admin') ? '/admin' : '/staff');
  }
}

const STAFF_LINKS = [
  ['/staff', 'Live orders'],
  ['/staff/menu', 'Menu'],
  ['/staff/orders', 'Past orders'],
  ['/staff/chat', 'Chat'],
  ['/staff/reports', 'Reports'],
] as const;

const ADMIN_LINKS = [
  ['/admin', 'Theatres'],
  ['/staff/chat', 'Chat'],
  ['/staff/reports', 'Reports'],
] as const;

/** The header every staff and admin page shares: where you are, where you can go, sign out. */
export function Shell(props: { account: Account; title: string; children: ComponentChildren; status?: ComponentChildren }): VNode {
  const links = props.account.role === 'admin' ? ADMIN_LINKS : STAFF_LINKS;
  const here = location.pathname.replace(/\/$/, '') || '/';
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={props.account.role === 'admin' ? '/admin' : '/staff'}>
          scan2food
        </a>
        <nav aria-label="Main">
          <ul>
            {links.map(([href, label]) => (
              <li>
                <a href={href} aria-current={here === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">{props.account.username}</span>
        <button type="button" class="link" onClick={() => void logout()}>
          Sign out
        </button>
      </header>
      <main id="main" class="page">
        <div class="page-head">
          <h1>{props.title}</h1>
          {props.status}
        </div>
        {props.children}
      </main>
    </div>
  );
}

/** A staff screen of their own theatre; an admin (who has none) is pointed to the theatre pages. */
export function TheatreStaffPage(props: { title: string; adminNote: string; children: (theatreId: number) => ComponentChildren }): VNode {
  return (
    <SignedIn heading="Staff sign in">
      {(account: Account) =>
        account.theatreId === null ? (
          <main class="narrow">
            <p>
              {props.adminNote} <a href="/admin">Theatres</a>
            </p>
          </main>
        ) : (
          <Shell account={account} title={props.title}>
            {props.children(account.theatreId)}
          </Shell>
        )
      }
    </SignedIn>
  );
}
