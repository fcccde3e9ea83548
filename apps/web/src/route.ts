import { useEffect, useState } from 'react';

export type Route = 'doors' | 'history' | 'manage' | 'settings';
const ROUTES: Route[] = ['doors', 'history', 'manage', 'settings'];
const BASE = import.meta.env.BASE_URL; // "/app/"

function current(): Route {
  const rest = location.pathname.startsWith(BASE)
    ? location.pathname.slice(BASE.length)
    : '';
  const name = rest.split('/')[0] as Route;
  return ROUTES.includes(name) ? name : 'doors';
}

export const hrefOf = (r: Route) => (r === 'doors' ? BASE : `${BASE}${r}`);

/** Path routing under /app/ (the server falls back to index.html), with the back button working. */
export function useRoute(): [Route, (r: Route) => void] {
  const [route, setRoute] = useState<Route>(current);
  useEffect(() => {
    const onPop = () => setRoute(current());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (r: Route) => {
    if (r !== current()) history.pushState(null, '', hrefOf(r));
    setRoute(r);
    window.scrollTo(0, 0);
  };
  return [route, go];
}
