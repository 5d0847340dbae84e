import { CircleAlert } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

/** The card of the pages reached from a mailed link (no app chrome): brand, then the content. */
export function PublicCard({ children }: { children: ReactNode }) {
  return (
    <main className="login signup">
      <div className="login-card signup-card">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Stepwise
        </div>
        {children}
      </div>
    </main>
  );
}

/** A link that can no longer be used, said in words, with the way on. */
export function LinkProblem({ title, children }: { title: string; children: ReactNode }) {
  return (
    <PublicCard>
      <div className="public-message is-problem">
        <CircleAlert size={36} aria-hidden="true" className="public-icon public-icon-problem" />
        <h1>{title}</h1>
        <p>{children}</p>
      </div>
      <p className="signup-switch">
        <Link to="/login">Go to the log-in page</Link>
      </p>
    </PublicCard>
  );
}
