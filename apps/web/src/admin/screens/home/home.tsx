import { useMemo, useState } from 'react';
import { BarList, ColumnChart } from '../../components/charts';
import type { Point } from '../../components/plot-map';
import { SpaceMap } from '../../components/space-map';
import { reasonLabel, useI18n } from '../../i18n';
import { verdict } from '../../model/access';
import { formatDay } from '../../model/format';
import { insightsOf } from '../../model/insights';
import { useSpace } from '../../space-context';
import { useEvents } from '../../use-events';

const DAYS = 14;

/** Home: the space on a map, its members at a glance, and insights from the access log. */
export function Home() {
  const { t, lang } = useI18n();
  const { model } = useSpace();
  const { space, units, doors, members, groups } = model;
  const [from] = useState(() =>
    new Date(Date.now() - DAYS * 86_400_000).toISOString(),
  );
  const { events, loading } = useEvents(
    space.id,
    { type: 'door.open', from },
    { pages: 5, limit: 1000 },
  );
  const now = new Date();
  const stats = insightsOf(events, space.timezone, now, DAYS);
  const world = {
    timezone: space.timezone,
    lockdown: space.lockdown,
    groups,
    members,
  };
  const canOpenNow = members.filter((m) =>
    doors.some((d) => verdict(world, m, d.id, now).allowed),
  ).length;

  const points: Point[] = [];
  if (space.location)
    points.push({ kind: 'space', label: space.name, ...space.location });
  for (const u of units)
    if (u.location)
      points.push({
        kind: 'unit',
        label: u.name,
        online: u.online,
        ...u.location,
      });
  // Same points, same array: the map is rebuilt only when a position or online state changes.
  const pointsKey = JSON.stringify(points);
  // biome-ignore lint/correctness/useExhaustiveDependencies: pointsKey stands for points
  const stablePoints = useMemo(() => points, [pointsKey]);
  const doorName = (id: string) =>
    doors.find((d) => d.id === id)?.name ?? t('log.deletedDoor');

  return (
    <div className="home">
      <section className="card map-card" aria-labelledby="map-title">
        <h2 id="map-title">{t('home.map')}</h2>
        <SpaceMap points={stablePoints} />
      </section>
      <section className="stats" aria-label={t('home.glance')}>
        <Stat label={t('home.members')} value={members.length} />
        <Stat label={t('home.canOpenNow')} value={canOpenNow} />
        <Stat
          label={t('home.active', { days: DAYS })}
          value={stats.activeMembers}
        />
        <Stat label={t('home.doors')} value={doors.length} />
        <Stat
          label={t('home.unitsOnline')}
          value={`${units.filter((u) => u.online).length} / ${units.length}`}
        />
        <Stat label={t('home.opens', { days: DAYS })} value={stats.opened} />
        <Stat
          label={t('home.refusals', { days: DAYS })}
          value={stats.refused}
        />
      </section>
      <section
        className="card charts"
        aria-labelledby="insights-title"
        aria-busy={loading}
      >
        <h2 id="insights-title">{t('home.insights')}</h2>
        <ColumnChart
          title={t('home.opensPerDay')}
          data={stats.perDay.map((d) => ({
            label: formatDay(d.day, lang),
            value: d.count,
          }))}
          every={2}
        />
        <BarList
          title={t('home.opensPerDoor')}
          empty={t('home.noData')}
          data={[...stats.perDoor].map(([id, value]) => ({
            label: doorName(id),
            value,
          }))}
        />
        <BarList
          title={t('home.refusalsByReason')}
          empty={t('home.noRefusals')}
          tone="danger"
          data={[...stats.refusals].map(([why, value]) => ({
            label: reasonLabel(t, why),
            value,
          }))}
        />
        <ColumnChart
          title={t('home.busiestHours')}
          data={stats.hours.map((value, h) => ({
            label: String(h).padStart(2, '0'),
            value,
          }))}
          every={3}
        />
      </section>
    </div>
  );
}

function Stat(props: { label: string; value: number | string }) {
  return (
    <div className="stat">
      <span className="stat-value">{props.value}</span>
      <span className="stat-label">{props.label}</span>
    </div>
  );
}
