// For operators: the replicas, their roles and applied seqs, the epoch and the
// primary, with role changes as they happen.
import { type ClusterInfo, type ReplicaEvent, useCluster } from '../hooks/useCluster.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PageTitle } from './PageTitle.js';

export function ClusterPanel() {
  const { cluster, events, error } = useCluster();
  return (
    <section className="cluster" aria-labelledby="cluster-title">
      <PageTitle id="cluster-title" title="Cluster" />
      {error && <ErrorNotice>{error}</ErrorNotice>}
      {!cluster && !error && <p className="muted">Loading the cluster…</p>}
      {cluster && <Overview cluster={cluster} />}
      {cluster && (
        <ul className="replicas" aria-label="Replicas">
          {[...cluster.replicas].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })).map((replica) => (
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
                <div>
                  <dt>Last heartbeat</dt>
                  <dd>{replica.lastHeartbeatAt ? new Date(replica.lastHeartbeatAt).toLocaleTimeString('en-GB') : 'never'}</dd>
                </div>
                <div className="wide">
                  <dt>Address</dt>
                  <dd className="mono">{replica.url}</dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
      )}
      <section className="card events" aria-labelledby="events-title">
        <h2 id="events-title">Role changes</h2>
        {events.length === 0 ? <p className="muted">None since you opened this page.</p> : <EventLog events={events} />}
      </section>
    </section>
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
