import { Navigate, Route, Routes } from 'react-router';
import { AppShell } from './features/auth/AppShell.tsx';
import { homeFor } from './features/auth/home.ts';
import { LoginPage } from './features/auth/LoginPage.tsx';
import { useMe } from './features/auth/useMe.ts';
import { FlowPage } from './features/flows/FlowPage.tsx';
import { FlowsPage } from './features/flows/FlowsPage.tsx';
import { QueuePage } from './features/queue/QueuePage.tsx';
import { TicketPage } from './features/tickets/TicketPage.tsx';
import { NotFound } from './ui/NotFound.tsx';

function Home() {
  const me = useMe();
  return me.data ? <Navigate to={homeFor(me.data.role)} replace /> : null;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<AppShell />}>
        <Route index element={<Home />} />
        <Route path="/flows" element={<FlowsPage />} />
        <Route path="/flows/:flowId" element={<FlowPage />} />
        <Route path="/queue" element={<QueuePage />} />
        <Route path="/tickets/:ticketId" element={<TicketPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
