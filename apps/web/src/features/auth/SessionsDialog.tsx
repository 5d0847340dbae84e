import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { toast } from 'sonner';
import { Badge } from '../../ui/Badge.tsx';
import { Dialog } from '../../ui/Dialog.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime, formatRelative } from '../../ui/time.ts';
import { errorMessage, useTRPC } from '../../trpc.ts';
import { describeDevice } from './device.ts';

/**
 * The browsers the signed-in person is signed in on in this workspace: each with where and when, signing
 * one out, all the others, or everywhere including here (a lost laptop, a shared computer).
 */
export function SessionsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // Read afresh each time it opens (it is mounted when opened): another browser may have signed in or
  // out meanwhile.
  const sessions = useQuery({
    ...trpc.sessions.list.queryOptions(),
    enabled: open,
    refetchOnMount: 'always',
  });
  const [confirmingAll, setConfirmingAll] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.sessions.list.queryKey() });
  const signedOutHere = () => {
    queryClient.clear();
    queryClient.setQueryData(trpc.auth.me.queryKey(), null);
    void navigate('/login', { replace: true });
  };
  const revoke = useMutation(
    trpc.sessions.revoke.mutationOptions({
      onSuccess: (result) => {
        if (result.signedOut) return signedOutHere();
        toast.success('That browser is signed out.');
        refresh();
      },
      onError: (error) => {
        toast.error(`Could not sign it out: ${errorMessage(error)}`);
        refresh();
      },
    }),
  );
  const revokeAll = useMutation(
    trpc.sessions.revokeAll.mutationOptions({
      onSuccess: (result) => {
        if (result.signedOut) return signedOutHere();
        toast.success(
          result.ended === 0
            ? 'You were not signed in anywhere else.'
            : `Signed out of ${result.ended === 1 ? '1 other browser' : `${result.ended} other browsers`}.`,
        );
        setConfirmingAll(false);
        refresh();
      },
      onError: (error) => toast.error(`Could not sign out: ${errorMessage(error)}`),
    }),
  );
  const now = Date.now();
  const others = (sessions.data ?? []).filter((s) => !s.current).length;
  const busy = revoke.isPending || revokeAll.isPending;

  return (
    <Dialog
      open={open}
      title="Where you are signed in"
      description="Browsers signed in to this workspace with your account. Sign out any you do not recognise, then change your password."
      onClose={onClose}
    >
      {sessions.isPending ? (
        <Loading label="Loading your sessions…" />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : (
        <>
          <ul className="session-list" aria-label="Your sessions">
            {sessions.data.map((s) => {
              const device = describeDevice(s.userAgent);
              return (
                <li key={s.id} className="session-item">
                  <div className="session-text">
                    <div className="row-title">
                      {device} {s.current && <Badge tone="success">This browser</Badge>}
                    </div>
                    <div className="row-sub">
                      {s.clientIp ? `${s.clientIp} · ` : ''}
                      <span title={formatDateTime(s.createdAt)}>
                        signed in {formatRelative(s.createdAt, now)}
                      </span>
                      {s.lastSeenAt && !s.current && (
                        <span title={formatDateTime(s.lastSeenAt)}>
                          {' '}
                          · last active {formatRelative(s.lastSeenAt, now)}
                        </span>
                      )}
                    </div>
                  </div>
                  {!s.current && (
                    <button
                      type="button"
                      className="btn btn-ghost btn-small"
                      disabled={busy}
                      onClick={() => revoke.mutate({ sessionId: s.id })}
                      aria-label={`Sign out ${device}, signed in ${formatDateTime(s.createdAt)}`}
                    >
                      Sign out
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
          {confirmingAll ? (
            <div className="session-confirm" role="alert">
              <p>Sign out everywhere, this browser included? You will need to log in again here.</p>
              <div className="row-actions">
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  onClick={() => setConfirmingAll(false)}
                  disabled={busy}
                >
                  Cancel
                </button>
                <button
                  type="button"
                  className="btn btn-danger btn-small"
                  onClick={() => revokeAll.mutate({ keepCurrent: false })}
                  disabled={busy}
                >
                  Sign out everywhere
                </button>
              </div>
            </div>
          ) : (
            <div className="modal-foot session-actions">
              <button
                type="button"
                className="btn btn-ghost"
                onClick={() => setConfirmingAll(true)}
                disabled={busy}
              >
                Sign out everywhere…
              </button>
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => revokeAll.mutate({ keepCurrent: true })}
                disabled={busy || others === 0}
              >
                {others === 0 ? 'No other browsers' : 'Sign out all other browsers'}
              </button>
            </div>
          )}
        </>
      )}
    </Dialog>
  );
}
