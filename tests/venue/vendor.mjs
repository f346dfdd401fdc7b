// npm run vendor: copy the venue page's browser libraries, as npm installed them at the
// versions package-lock.json pins, into api/venue/vendor/ with their licences. The page
// is served from there (no build step, no CDN); tests/venue/test_vendored.py checks that
// the copies are still the installed files.
import { copyFileSync } from "node:fs";

const FILES = [
  ["node_modules/jsqr/dist/jsQR.js", "api/venue/vendor/jsQR.js"],
  ["node_modules/jsqr/LICENSE", "api/venue/vendor/jsQR.LICENSE"],
  ["node_modules/@noble/ed25519/index.js", "api/venue/vendor/noble-ed25519.js"],
  ["node_modules/@noble/ed25519/LICENSE", "api/venue/vendor/noble-ed25519.LICENSE"],
];
for (const [from, to] of FILES) copyFileSync(from, to);
console.log(FILES.map(([, to]) => to).join("\n"));
