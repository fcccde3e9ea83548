import { useEffect, useState } from 'react';

export const TABS = [
  'home',
  'access',
  'audit',
  'users',
  'units',
  'settings',
] as const;
export type Tab = (typeof TABS)[number];
export interface Route {
  spaceId: string | null;
  tab: Tab;
}

const BASE = import.meta.env.BASE_URL; // "/admin/"

function current(): Route {
  const rest = location.pathname.startsWith(BASE)
    ? location.pathname.slice(BASE.length)
    : '';
  const [first, spaceId, tab] = rest.split('/');
  if (first !== 'spaces' || !spaceId) return { spaceId: null, tab: 'home' };
  return {
    spaceId: decodeURIComponent(spaceId),
    tab: TABS.includes(tab as Tab) ? (tab as Tab) : 'home',
  };
}

export const hrefOf = (r: Route) =>
  r.spaceId ? `${BASE}spaces/${encodeURIComponent(r.spaceId)}/${r.tab}` : BASE;

/** Path routing under /admin/ (the server falls back to admin's index.html), back button included. */
export function useRoute(): [Route, (r: Route) => void] {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const onPop = () => setRoute(current());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (r: Route) => {
    if (hrefOf(r) !== location.pathname) history.pushState(null, '', hrefOf(r));
    setRoute(r);
  };
  return [route, go];
}
