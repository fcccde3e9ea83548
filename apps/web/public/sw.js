// Keyway service worker: keeps the app shell so the app opens offline on its last known state
// (the view itself is in localStorage). Network first for the shell, so a deploy shows at once;
// hashed assets never change, so they come from the cache when present. API calls (/v1/) and
// the sync socket are never touched: a cached API answer could show a door that is gone.
const CACHE = 'keyway-shell-v1';
const SCOPE = new URL(self.registration.scope).pathname; // "/app/"
const SHELL = [
  SCOPE,
  `${SCOPE}manifest.webmanifest`,
  `${SCOPE}icon.svg`,
  `${SCOPE}icon-192.png`,
];
const NETWORK_TIMEOUT_MS = 4000;

// The shell and the hashed scripts and styles index.html names: the page that registered us
// fetched them before we existed, and an offline start needs them all.
async function precache() {
  const cache = await caches.open(CACHE);
  const html = await (await fetch(SCOPE, { cache: 'no-cache' })).text();
  const assets = [
    ...html.matchAll(/(?:src|href)="([^"]+\/assets\/[^"]+)"/g),
  ].map((m) => m[1]);
  await cache.addAll([...SHELL, ...assets]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('timeout')), NETWORK_TIMEOUT_MS),
    );
    const response = await Promise.race([fetch(request), timeout]);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(request);
    if (hit) return hit;
    // Any in-app path (the router's /app/history...) is the same single page.
    if (request.mode === 'navigate') {
      const shell = await cache.match(SCOPE);
      if (shell) return shell;
    }
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith(SCOPE)) return; // /v1/ and everything outside the app
  if (request.mode === 'navigate') {
    event.respondWith(
      networkFirst(new Request(SCOPE)).catch(() => Response.error()),
    );
    return;
  }
  const hashed = url.pathname.startsWith(`${SCOPE}assets/`);
  event.respondWith(hashed ? cacheFirst(request) : networkFirst(request));
});
