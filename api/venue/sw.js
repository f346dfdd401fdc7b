// The venue page's service worker: keeps the page's own files so it opens with no network.
// Each answer comes from the cache at once and is refreshed from the network behind it
// (stale-while-revalidate), so a page opened online picks up a new version on its next
// load. The bundle is not the worker's: the page keeps it (app.js, Cache "talentcard-venue-bundle").

const CACHE = "talentcard-venue-page-v2"; // a new name when FILES changes
const FILES = [
  "./", "index.html", "app.js", "verify.js", "decision.js", "binding.js", "cbor.js", "base45.js",
  "styles.css", "manifest.webmanifest", "icon.svg", "vendor/jsQR.js", "vendor/noble-ed25519.js",
];
const SCOPE = new URL("./", self.location.href).href;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("talentcard-venue-page-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return; // e.g. /bundle: the page's
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = request.mode === "navigate" ? "./" : request;
    const cached = await cache.match(key, { ignoreSearch: request.mode === "navigate" });
    const fresh = fetch(request).then((response) => {
      if (response.ok && response.type === "basic") cache.put(key, response.clone());
      return response;
    });
    if (cached) {
      event.waitUntil(fresh.catch(() => undefined));
      return cached;
    }
    return fresh;
  })());
});
