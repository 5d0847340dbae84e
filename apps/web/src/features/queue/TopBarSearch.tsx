import { Search } from 'lucide-react';
import { type FormEvent, useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

/**
 * The top bar's ticket search: words found in any ticket's subject, description, customer or
 * conversation, answered in the queue (`/queue?q=…`).
 */
export function TopBarSearch() {
  const navigate = useNavigate();
  const location = useLocation();
  const current = location.pathname === '/queue' ? (new URLSearchParams(location.search).get('q') ?? '') : '';
  const [text, setText] = useState(current);
  // Follows the queue's own search (cleared there, or another one opened).
  useEffect(() => setText(current), [current]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const words = text.trim();
    if (words) void navigate(`/queue?${new URLSearchParams({ q: words }).toString()}`);
  };
  return (
    <search className="topbar-search">
      <form onSubmit={submit}>
        <label htmlFor="ticket-search" className="sr-only">
          Search tickets
        </label>
        <Search size={15} aria-hidden="true" className="topbar-search-icon" />
        <input
          id="ticket-search"
          type="search"
          placeholder="Search tickets"
          maxLength={200}
          value={text}
          onChange={(e) => setText(e.target.value)}
          autoComplete="off"
          className="topbar-search-input"
        />
      </form>
    </search>
  );
}
