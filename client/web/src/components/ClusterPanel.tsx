// /cluster. For anyone: whether orders are taken (and why not), the epoch,
// the primary, and each replica's name, role and applied seq. For an operator
// signed in (the staff sign-in): where each replica listens, its last
// heartbeat, and role changes as they happen, all asked for with the
// operator's token (the gateway refuses them to anyone else).
import { useEffect, useRef } from 'react';
import { Provider } from 'urql';
import type { ReplicaFieldsFragment, ReplicaInternalsFieldsFragment } from '../../../gql/graphql.js';
import { type ClusterInfo, type ReplicaEvent, useOperatorCluster, usePublicCluster, useReplicaEvents } from '../hooks/useCluster.js';
import { useSignInFocus } from '../hooks/useSignInFocus.js';
import { type StaffState, useStaff } from '../hooks/useStaff.js';
import { ROLE_WORDS } from '../staff.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PageTitle } from './PageTitle.js';
import { SignInState } from './StaffScreen.js';

export function ClusterPanel() {
  const { state } = useStaff();
  const page = useRef<HTMLElement>(null);
  useSignInFocus(page, state);
  return (
    <section className="cluster" aria-labelledby="cluster-title" ref={page}>
      <PageTitle id="cluster-title" title="Cluster" />
      {state.kind === 'signed-in' && state.member.role === 'OPERATOR' ? (
        <Provider value={state.client.urql}>
          <OperatorView />
        </Provider>
      ) : (
        <PublicView staff={state} />
      )}
    </section>
  );
}

function PublicView({ staff }: { staff: StaffState }) {
  const { cluster, error } = usePublicCluster();
  return (
    <>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!cluster && !error && <p className="muted">Loading the cluster…</p>}
      {cluster && <Overview cluster={cluster} />}
      {cluster && <Replicas replicas={cluster.replicas} />}
      <OperatorsOnly staff={staff} />
    </>
  );
}

/** What the public view says about the rest, by who is signed in. */
function OperatorsOnly({ staff }: { staff: StaffState }) {
  const { recheck } = useStaff();
  const what = 'where each replica listens, its last heartbeat and role changes as they happen';
  return (
    <SignInState state={staff} purpose={`Operators: sign in to see ${what}.`} recheck={recheck}>
      {(member) => (
        <p className="card" data-testid="operators-only">
          The cluster’s internals ({what}) need an operator. You are signed in as {member.name} ({ROLE_WORDS[member.role].toLowerCase()}).
        </p>
      )}
    </SignInState>
  );
}

function OperatorView() {
  const { recheck } = useStaff();
  const { cluster, error, forbidden } = useOperatorCluster();
  const events = useReplicaEvents();
  // Refused although the token was an operator's when checked: it was removed meanwhile.
  useEffect(() => {
    if (forbidden) recheck();
  }, [forbidden, recheck]);
  return (
    <>
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!cluster && !error && <p className="muted">Loading the cluster…</p>}
      {cluster && <Overview cluster={cluster} />}
      {cluster && <Replicas replicas={cluster.replicas} />}
      <section className="card events" aria-labelledby="events-title">
        <h2 id="events-title">Role changes</h2>
        {events.length === 0 ? <p className="muted">None since you opened this page.</p> : <EventLog events={events} />}
      </section>
    </>
  );
}

type Replica = ReplicaFieldsFragment & Partial<ReplicaInternalsFieldsFragment>;

function Replicas({ replicas }: { replicas: readonly Replica[] }) {
  return (
    <ul className="replicas" aria-label="Replicas">
      {[...replicas]
        .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
        .map((replica) => (
          <li key={replica.name} className={`card replica replica--${replica.role.toLowerCase()}`} data-testid={`replica-${replica.name}`}>
            <div className="replica__head">
              <h2>Replica {replica.name}</h2>
              <span className={`role role--${replica.role.toLowerCase()}`}>{roleName(replica.role)}</span>
            </div>
            <dl className="replica__facts">
              <div>
                <dt>Applied seq</dt>
                <dd className="mono">{replica.appliedSeq}</dd>
              </div>
              {replica.url !== undefined && (
                <>
                  <div>
                    <dt>Last heartbeat</dt>
                    <dd>{replica.lastHeartbeatAt ? new Date(replica.lastHeartbeatAt).toLocaleTimeString('en-GB') : 'never'}</dd>
                  </div>
                  <div className="wide">
                    <dt>Address</dt>
                    <dd className="mono">{replica.url}</dd>
                  </div>
                </>
              )}
            </dl>
          </li>
        ))}
    </ul>
  );
}

function Overview({ cluster }: { cluster: ClusterInfo }) {
  return (
    <dl className="card overview" aria-live="polite" data-testid="cluster-overview">
      <div>
        <dt>Epoch</dt>
        <dd className="big mono" data-testid="epoch">
          {cluster.epoch}
        </dd>
      </div>
      <div>
        <dt>Primary</dt>
        <dd className="big" data-testid="primary">
          {cluster.primary ? `Replica ${cluster.primary.name}` : 'none'}
        </dd>
      </div>
      <div>
        <dt>Orders</dt>
        <dd className="big">{cluster.writable ? <span className="ok">Accepted</span> : <span className="bad">Paused</span>}</dd>
      </div>
      {cluster.unwritableReason ? (
        <div className="overview__why">
          <dt>Why</dt>
          <dd data-testid="unwritable-reason">{cluster.unwritableReason}</dd>
        </div>
      ) : null}
    </dl>
  );
}

function EventLog({ events }: { events: ReplicaEvent[] }) {
  return (
    <ol className="event-log" aria-live="polite">
      {events.map((event) => (
        <li key={`${event.at}-${event.replica.name}-${event.replica.role}`}>
          <time dateTime={event.at}>{new Date(event.at).toLocaleTimeString('en-GB')}</time>
          <span>
            Replica {event.replica.name}: {event.previousRole ? `${roleName(event.previousRole)} → ` : ''}
            <strong>{roleName(event.replica.role)}</strong> (epoch {event.epoch})
          </span>
        </li>
      ))}
    </ol>
  );
}

function roleName(role: string): string {
  return role === 'CATCHING_UP' ? 'Catching up' : role.charAt(0) + role.slice(1).toLowerCase();
}
