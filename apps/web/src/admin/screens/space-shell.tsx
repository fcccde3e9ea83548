import { useMemo } from 'react';
import { useI18n } from '../i18n';
import { useLive } from '../live';
import { canWrite, roleOf, spaceModel } from '../model/space';
import { hrefOf, type Route, TABS } from '../route';
import { SpaceContext } from '../space-context';
import { AccessControl } from './access/access-control';
import { AuditTrail } from './audit/audit-trail';
import { Home } from './home/home';
import { Settings } from './settings/settings';
import { Units } from './units/units';
import { Users } from './users/users';

/** One space: its tabs, the viewer note, and the screen of the current tab. */
export function SpaceShell(props: {
  route: Route;
  go: (r: Route) => void;
  userId: string;
}) {
  const { t } = useI18n();
  const { view, ready } = useLive();
  const { spaceId, tab } = props.route;
  const model = useMemo(
    () => (spaceId ? spaceModel(view, spaceId) : null),
    [view, spaceId],
  );
  if (!model || !spaceId)
    return (
      <p className="empty">{ready ? t('space.notFound') : t('app.loading')}</p>
    );
  const role = roleOf(model, props.userId);
  const ctx = { model, role, readOnly: !canWrite(role), userId: props.userId };
  const Screen = {
    home: Home,
    access: AccessControl,
    audit: AuditTrail,
    users: Users,
    units: Units,
    settings: Settings,
  }[tab];
  return (
    <SpaceContext.Provider value={ctx}>
      <div className="space-head">
        <h1>{model.space.name}</h1>
        <span className="badge">{role ? t(`role.${role}`) : ''}</span>
        {model.space.lockdown && (
          <span className="badge danger">{t('space.lockdown')}</span>
        )}
      </div>
      <nav className="tabs" aria-label={t('space.sections')}>
        {/* The audit trail is for owners and admins (API.md); a viewer has no tab for it. */}
        {TABS.filter((name) => name !== 'audit' || !ctx.readOnly).map(
          (name) => (
            <a
              key={name}
              href={hrefOf({ spaceId, tab: name })}
              aria-current={name === tab ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                props.go({ spaceId, tab: name });
              }}
            >
              {t(`tab.${name}`)}
            </a>
          ),
        )}
      </nav>
      {ctx.readOnly && (
        <p className="note" role="note">
          {t('space.viewerNote')}
        </p>
      )}
      <Screen />
    </SpaceContext.Provider>
  );
}
