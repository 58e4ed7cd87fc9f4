// The customer's live order tracker: the steps the order has reached, each
// with its time, and those still ahead on its way (delivered, or collected);
// a stopped order (rejected, cancelled) shows where it stopped and why, and
// nothing ahead. The sentence at the top is a polite live region: each move
// is announced as it comes, without taking the focus from where the customer is.
import type { Order } from '../hooks/useOrders.js';
import { STATUS_WORDS, statusSentence, timeOfDay, trackerSteps } from '../lifecycle.js';

export function OrderTracker({ order }: { order: Order }) {
  const steps = trackerSteps(order);
  return (
    <section className="tracker" aria-labelledby="tracker-title" data-testid="order-tracker">
      <h2 id="tracker-title" className="tracker__title">
        Progress
      </h2>
      <p className={`tracker__now${order.active ? '' : ' tracker__now--stopped'}`} aria-live="polite" data-testid="tracker-now">
        {statusSentence(order)}
      </p>
      <ol className="tracker__steps">
        {steps.map((step, i) => (
          <li
            key={`${step.status}-${i}`}
            className={`tracker__step tracker__step--${step.state}${step.status === 'REJECTED' || step.status === 'CANCELLED' ? ' tracker__step--stopped' : ''}`}
            aria-current={step.state === 'current' ? 'step' : undefined}
            data-testid={`step-${step.status}`}
          >
            <span className="tracker__dot" aria-hidden="true" />
            <span className="tracker__name">{STATUS_WORDS[step.status]}</span>
            {step.at ? (
              <time className="tracker__time" dateTime={step.at}>
                {timeOfDay(step.at)}
              </time>
            ) : (
              <span className="tracker__time tracker__time--ahead">Not yet</span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
