import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Inbox, KeyRound, ListOrdered, LogOut, MonitorSmartphone, Settings, Workflow } from 'lucide-react';
import { Suspense, useState } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { capitalize } from '../../ui/Badge.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { TopBarSearch } from '../queue/TopBarSearch.tsx';
import { NotificationBell } from '../notifications/NotificationBell.tsx';
import { ChangePasswordDialog } from './ChangePasswordDialog.tsx';
import { SessionsDialog } from './SessionsDialog.tsx';
import { TopbarMenu } from './TopbarMenu.tsx';
import { useMe } from './useMe.ts';

/** The logged-in frame: header with navigation, organization and user; sends visitors to the login page. */
export function AppShell() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const me = useMe();
  const [changingPassword, setChangingPassword] = useState(false);
  const [viewingSessions, setViewingSessions] = useState(false);
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: () => {
        queryClient.clear();
        queryClient.setQueryData(trpc.auth.me.queryKey(), null);
        void navigate('/login', { replace: true });
      },
      onError: (error) => toast.error(`Could not log out: ${errorMessage(error)}`),
    }),
  );

  if (me.isPending) return <Loading />;
  if (me.isError) {
    return (
      <main className="page">
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      </main>
    );
  }
  if (!me.data) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  const { user, org, role } = me.data;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Stepwise
        </div>
        <span className="org" title="Organization">
          {org.name}
        </span>
        <TopBarSearch />
        <NotificationBell />
        <TopbarMenu>
          <nav aria-label="Main" className="nav">
            <NavLink to="/flows" className="nav-link">
              <Workflow size={16} aria-hidden="true" /> Flows
            </NavLink>
            {(role === 'admin' || role === 'manager') && (
              <NavLink to="/routing" className="nav-link">
                <ListOrdered size={16} aria-hidden="true" /> Routing
              </NavLink>
            )}
            <NavLink to="/queue" className="nav-link">
              <Inbox size={16} aria-hidden="true" /> Queue
            </NavLink>
            {role === 'admin' && (
              <NavLink to="/admin" className="nav-link">
                <Settings size={16} aria-hidden="true" /> Admin
              </NavLink>
            )}
          </nav>
          <div className="user">
            <span className="avatar" aria-hidden="true">
              {initials(user.name)}
            </span>
            <span className="user-text">
              <span className="user-name">{user.name}</span>
              <span className="user-role">{capitalize(role)}</span>
            </span>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => setChangingPassword(true)}
              aria-label="Change password"
              title="Change password"
            >
              <KeyRound size={15} aria-hidden="true" />
              <span className="user-action-text">Password</span>
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => setViewingSessions(true)}
              aria-label="Sessions: where you are signed in"
              title="Where you are signed in"
            >
              <MonitorSmartphone size={15} aria-hidden="true" />
              <span className="user-action-text">Sessions</span>
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => logout.mutate()}
              disabled={logout.isPending}
            >
              <LogOut size={15} aria-hidden="true" /> Log out
            </button>
          </div>
        </TopbarMenu>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <ChangePasswordDialog open={changingPassword} onClose={() => setChangingPassword(false)} />
      {viewingSessions && <SessionsDialog open onClose={() => setViewingSessions(false)} />}
    </div>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return (
    ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() ||
    '?'
  );
}
