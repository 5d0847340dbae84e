import { Link } from 'react-router';

export function NotFound() {
  return (
    <div className="empty">
      <h1 className="empty-title">Page not found</h1>
      <p className="empty-body">
        There is nothing at this address. Go to the <Link to="/queue">queue</Link> or the{' '}
        <Link to="/flows">flows</Link>.
      </p>
    </div>
  );
}
