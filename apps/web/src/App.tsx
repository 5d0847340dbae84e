import { Navigate, Route, Routes } from 'react-router';
import { AdminPage } from './features/admin/AdminPage.tsx';
import { AppShell } from './features/auth/AppShell.tsx';
import { homeFor } from './features/auth/home.ts';
import { LoginPage } from './features/auth/LoginPage.tsx';
import { SignUpPage } from './features/auth/SignUpPage.tsx';
import { SignUpConfirmPage } from './features/auth/SignUpConfirmPage.tsx';
import { AcceptInvitePage } from './features/auth/AcceptInvitePage.tsx';
import { useMe } from './features/auth/useMe.ts';
import { LazyAnalyticsPage } from './features/analytics/LazyAnalyticsPage.tsx';
import { BuilderRoute } from './features/builder/BuilderRoute.tsx';
import { FlowPage } from './features/flows/FlowPage.tsx';
import { FeedbackPage } from './features/feedback/FeedbackPage.tsx';
import { FlowsPage } from './features/flows/FlowsPage.tsx';
import { NewTicketPage } from './features/intake/NewTicketPage.tsx';
import { QueuePage } from './features/queue/QueuePage.tsx';
import { RoutingPage } from './features/routing/RoutingPage.tsx';
import { TicketPage } from './features/tickets/TicketPage.tsx';
import { ComparePage } from './features/versions/ComparePage.tsx';
import { HistoryPage } from './features/versions/HistoryPage.tsx';
import { NotFound } from './ui/NotFound.tsx';

function Home() {
  const me = useMe();
  return me.data ? <Navigate to={homeFor(me.data.role)} replace /> : null;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/signup" element={<SignUpPage />} />
      <Route path="/signup/confirm/:token" element={<SignUpConfirmPage />} />
      <Route path="/invite/:token" element={<AcceptInvitePage />} />
      <Route path="/feedback/:token" element={<FeedbackPage />} />
      <Route element={<AppShell />}>
        <Route index element={<Home />} />
        <Route path="/flows" element={<FlowsPage />} />
        <Route path="/flows/:flowId" element={<FlowPage />} />
        <Route path="/flows/:flowId/edit" element={<BuilderRoute />} />
        <Route path="/flows/:flowId/history" element={<HistoryPage />} />
        <Route path="/flows/:flowId/compare" element={<ComparePage />} />
        <Route path="/flows/:flowId/analytics" element={<LazyAnalyticsPage />} />
        <Route path="/routing" element={<RoutingPage />} />
        <Route path="/queue" element={<QueuePage />} />
        <Route path="/tickets/new" element={<NewTicketPage />} />
        <Route path="/tickets/:ticketId" element={<TicketPage />} />
        <Route path="/admin/:section?" element={<AdminPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
