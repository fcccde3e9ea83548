import { useState } from 'react';
import { SpaceTabs } from '../components/space-tabs';
import { useI18n } from '../i18n';
import { availability } from '../model/availability';
import type { SpaceModel } from '../model/view';
import { useNow } from '../use-now';
import { DoorCard } from './door-card';

/** Her spaces (tabs) and, in the chosen one, every door she may open, live. */
export function Home({
  spaces,
  userId,
}: {
  spaces: SpaceModel[];
  userId: string;
}) {
  const { t } = useI18n();
  const [chosen, setChosen] = useState<string | null>(null);
  const withDoors = spaces.filter((s) => s.doors.length > 0);
  const space = withDoors.find((s) => s.id === chosen) ?? withDoors[0];

  // Re-render every 30 s and at the instant the next door changes state (a frame starts).
  let wake: Date | null = null;
  const probe = new Date();
  for (const s of withDoors)
    for (const d of s.doors) {
      const at = availability(s, d, probe).nextChangeAt;
      if (at && (!wake || at < wake)) wake = at;
    }
  const now = useNow(30_000, wake);

  if (!space) return <p className="empty">{t('home.empty')}</p>;
  return (
    <>
      {withDoors.length > 1 && (
        <SpaceTabs
          spaces={withDoors}
          selected={space.id}
          onSelect={setChosen}
          label={t('spaces.label')}
        />
      )}
      <section
        id={`space-${space.id}`}
        role={withDoors.length > 1 ? 'tabpanel' : undefined}
        aria-labelledby={withDoors.length > 1 ? `tab-${space.id}` : undefined}
        aria-label={withDoors.length > 1 ? undefined : space.name}
      >
        {withDoors.length === 1 && <h1 className="space-name">{space.name}</h1>}
        <ul className="doors">
          {space.doors.map((door) => (
            <li key={door.id}>
              <DoorCard space={space} door={door} now={now} userId={userId} />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
