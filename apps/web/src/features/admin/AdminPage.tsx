import {
  FileText,
  History,
  KeyRound,
  Megaphone,
  ShieldAlert,
  Users,
  UsersRound,
  Webhook,
} from 'lucide-react';
import { Navigate, NavLink, useParams } from 'react-router';
import { Loading } from '../../ui/States.tsx';
import { useTitle } from '../../ui/useTitle.ts';
import { useMe } from '../auth/useMe.ts';
import { AuditLog } from './AuditLog.tsx';
import { IntegrationsAdmin } from './IntegrationsAdmin.tsx';
import { MacrosAdmin } from './MacrosAdmin.tsx';
import { TeamsAdmin } from './TeamsAdmin.tsx';
import { TokensAdmin } from './TokensAdmin.tsx';
import { UsersAdmin } from './UsersAdmin.tsx';
import { WebhooksAdmin } from './WebhooksAdmin.tsx';

const SECTIONS = [
  { path: 'users', label: 'Users', icon: Users, Page: UsersAdmin },
  { path: 'teams', label: 'Teams', icon: UsersRound, Page: TeamsAdmin },
  { path: 'tokens', label: 'API tokens', icon: KeyRound, Page: TokensAdmin },
  { path: 'webhooks', label: 'Webhooks', icon: Webhook, Page: WebhooksAdmin },
  { path: 'integrations', label: 'Integrations', icon: Megaphone, Page: IntegrationsAdmin },
  { path: 'macros', label: 'Macros', icon: FileText, Page: MacrosAdmin },
  { path: 'audit', label: 'Audit log', icon: History, Page: AuditLog },
] as const;

/** The workspace's administration (admins only): people, teams, integrations and the audit trail. */
export function AdminPage() {
  const { section } = useParams();
  const me = useMe();
  const current = SECTIONS.find((s) => s.path === section);
  useTitle(current ? `${current.label} · Admin` : 'Admin');

  if (me.isPending) return <Loading />;
  if (me.data?.role !== 'admin') {
    return (
      <div className="empty">
        <ShieldAlert size={28} aria-hidden="true" />
        <h1 className="empty-title">Admins only</h1>
        <p className="empty-body">
          The administration pages are for the workspace’s admins. Ask an admin if you need a user, a team or
          an API token.
        </p>
      </div>
    );
  }
  if (!current) return <Navigate to="/admin/users" replace />;
  const { Page } = current;

  return (
    <div className="admin">
      <nav className="admin-nav" aria-label="Administration">
        <h1 className="admin-title">Admin</h1>
        {SECTIONS.map((s) => (
          <NavLink key={s.path} to={`/admin/${s.path}`} className="admin-nav-link">
            <s.icon size={16} aria-hidden="true" /> {s.label}
          </NavLink>
        ))}
      </nav>
      <div className="admin-body">
        <Page />
      </div>
    </div>
  );
}
