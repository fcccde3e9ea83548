import { Groups } from './groups';
import { Members } from './members';

/** User management: groups and members. */
export function Users() {
  return (
    <div className="users">
      <Groups />
      <Members />
    </div>
  );
}
