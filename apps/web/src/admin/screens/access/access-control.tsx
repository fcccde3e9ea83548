import { BackInTime } from './back-in-time';
import { DoorBoard } from './door-board';
import { EventLog } from './event-log';

/** Access control: doors now, the live access log, and any past instant. */
export function AccessControl() {
  return (
    <div className="access">
      <DoorBoard />
      <EventLog />
      <BackInTime />
    </div>
  );
}
