import { Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { AppShell } from './features/auth/AppShell.tsx';
import { homeFor } from './features/auth/home.ts';
import { useMe } from './features/auth/useMe.ts';
import { lazyPage } from './ui/lazyPage.tsx';
import { NotFound } from './ui/NotFound.tsx';
import { Loading } from './ui/States.tsx';

// Every page is its own file, fetched when first opened (the shell and the router come with the first page).
const LoginPage = lazyPage(() => import('./features/auth/LoginPage.tsx'), 'LoginPage');
const SignUpPage = lazyPage(() => import('./features/auth/SignUpPage.tsx'), 'SignUpPage');
const SignUpConfirmPage = lazyPage(
  () => import('./features/auth/SignUpConfirmPage.tsx'),
  'SignUpConfirmPage',
);
const AcceptInvitePage = lazyPage(() => import('./features/auth/AcceptInvitePage.tsx'), 'AcceptInvitePage');
const FeedbackPage = lazyPage(() => import('./features/feedback/FeedbackPage.tsx'), 'FeedbackPage');
const AdminPage = lazyPage(() => import('./features/admin/AdminPage.tsx'), 'AdminPage');
const AnalyticsPage = lazyPage(() => import('./features/analytics/AnalyticsPage.tsx'), 'AnalyticsPage');
const BuilderRoute = lazyPage(() => import('./features/builder/BuilderRoute.tsx'), 'BuilderRoute');
const FlowPage = lazyPage(() => import('./features/flows/FlowPage.tsx'), 'FlowPage');
const FlowsPage = lazyPage(() => import('./features/flows/FlowsPage.tsx'), 'FlowsPage');
const NewTicketPage = lazyPage(() => import('./features/intake/NewTicketPage.tsx'), 'NewTicketPage');
const QueuePage = lazyPage(() => import('./features/queue/QueuePage.tsx'), 'QueuePage');
const RoutingPage = lazyPage(() => import('./features/routing/RoutingPage.tsx'), 'RoutingPage');
const TicketPage = lazyPage(() => import('./features/tickets/TicketPage.tsx'), 'TicketPage');
const ComparePage = lazyPage(() => import('./features/versions/ComparePage.tsx'), 'ComparePage');
const HistoryPage = lazyPage(() => import('./features/versions/HistoryPage.tsx'), 'HistoryPage');

function Home() {
  const me = useMe();
  return me.data ? <Navigate to={homeFor(me.data.role)} replace /> : null;
}

export function App() {
  return (
    <Suspense fallback={<Loading />}>
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
          <Route path="/flows/:flowId/analytics" element={<AnalyticsPage />} />
          <Route path="/routing" element={<RoutingPage />} />
          <Route path="/queue" element={<QueuePage />} />
          <Route path="/tickets/new" element={<NewTicketPage />} />
          <Route path="/tickets/:ticketId" element={<TicketPage />} />
          <Route path="/admin/:section?" element={<AdminPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}
