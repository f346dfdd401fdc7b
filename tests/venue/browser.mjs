// The venue page end to end in headless Chromium (Debian's chromium, driven by playwright-core):
// tests/venue/test_venue_page.py starts the API and runs this script, which prints what the
// page showed as JSON; the assertions are the Python test's.
//
// Environment: VENUE_URL (the page), BUNDLE_FILE (the vectors' bundle, one file), VECTORS
// (tests/venue/vectors.json), QR_IMAGE (a PNG of the valid vector's QR code), CAMERA_Y4M (a
// video of it), ONLINE_TOKEN and
// ONLINE_AT (a card of the served registry and its clock), ARTIFACTS (screenshots) and
// CHROMIUM. Among the vectors is a credential whose status reads SUPERSEDED (issue 26): for
// every token the page's words on it are read too (the verdict's note, each person's).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = process.env;
const vectors = JSON.parse(readFileSync(env.VECTORS, "utf-8")).vectors;
const browser = await chromium.launch({
  executablePath: env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const out = {};
// Each step on stderr, so a failure shows where it stopped (the Python test prints stderr).
const step = (what) => process.stderr.write(`${new Date().toISOString()} ${what}\n`);

// The machine running the tests may be busy: a minute per step before Playwright gives up.
const STEP_MS = 60_000;

async function open(context, at) {
  step("open the page");
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  await page.clock.setFixedTime(at * 1000);
  await page.goto(env.VENUE_URL);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

async function reloadOffline(context, page) {
  step("waiting for the service worker, then offline");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  return page.evaluate(() => !!navigator.serviceWorker.controller);
}

// Check one token as gate staff would (paste, Enter) and read what the page shows.
async function check(page, token, at, screenshot) {
  step(`check ${screenshot || token.slice(0, 24)}`);
  await page.clock.setFixedTime(at * 1000);
  await page.click("#clear");
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  return observe(page, screenshot);
}

async function observe(page, screenshot) {
  await page.waitForSelector("#verdict:not([data-reason=''])");
  const seen = await page.evaluate(() => ({
    reason: document.querySelector("#verdict").dataset.reason,
    verdict: document.querySelector("#verdict").innerText,
    superseded: document.querySelector("#verdict").dataset.superseded,
    superseded_note: document.querySelector("#verdict-superseded")?.textContent ?? null,
    holder: document.querySelector("#card").hidden ? null : document.querySelector("#card-holder").textContent,
    tier: document.querySelector("#card").hidden ? null : document.querySelector("#card-tier").textContent,
    until: document.querySelector("#card").hidden ? null : document.querySelector("#card-until").textContent,
    token_left: document.querySelector("#token").value,
    freshness: document.querySelector("#freshness").innerText,
    stale_warning: !!document.querySelector("#freshness .warning"),
    engine: document.querySelector("#engine").textContent,
    grants: [...document.querySelectorAll("#grants-list li[data-item]")].map((li) => ({
      item: li.dataset.item,
      person: li.dataset.person,
      granted: li.dataset.granted === "true",
      code: li.dataset.code,
      rules: li.dataset.rules ? li.dataset.rules.split(", ") : [],
      requires: JSON.parse(li.dataset.requires),
    })),
    // What each person's section says above their items, and whether it is flagged superseded.
    people: Object.fromEntries([...document.querySelectorAll("#grants-list section[data-person]")].map((s) => [
      s.dataset.person,
      { superseded: s.dataset.superseded === "true", summary: s.querySelector("p").textContent },
    ])),
  }));
  if (screenshot) await page.screenshot({ path: join(env.ARTIFACTS, `${screenshot}.png`), fullPage: true });
  return seen;
}

async function storage(page) {
  return page.evaluate(async () => ({
    local: Object.keys(localStorage),
    caches: await caches.keys(),
    cached: (await Promise.all((await caches.keys()).map(async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)))).flat(),
  }));
}

// 1. Online first: the page fetches GET /bundle, keeps it, and then works offline.
{
  const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 480, height: 900 } });
  const at = Number(env.ONLINE_AT);
  const page = await open(context, at);
  // Opened again online, the page asks whether its bundle is still current: a 304.
  const statuses = [];
  page.on("response", (r) => { if (r.url().endsWith("/bundle")) statuses.push(r.status()); });
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  const controlled = await reloadOffline(context, page);
  out.online = { controlled, bundle_statuses: statuses, ...(await check(page, env.ONLINE_TOKEN, at, "online-valid")) };
  // A bundle signed by another root is refused: the first bundle pinned its root.
  await page.setInputFiles("#bundle-file", env.BUNDLE_FILE);
  await page.waitForFunction(() => document.querySelector("#bundle-message").textContent !== "");
  out.other_root = await page.textContent("#bundle-message");
  await context.close();
}

// 2. First use from a bundle file, with no way to the registry; then offline, every vector.
{
  const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 480, height: 900 } });
  await context.route("**/bundle", (route) => route.abort());
  const page = await open(context, vectors[0].at);
  out.before_bundle = await page.textContent("#freshness");
  await page.setInputFiles("#bundle-file", env.BUNDLE_FILE);
  await page.waitForSelector("#trust-age");
  const controlled = await reloadOffline(context, page);
  out.vectors = { controlled };
  for (const vector of vectors) {
    if (vector.venue_city) await page.selectOption("#venue-city", vector.venue_city);
    out.vectors[vector.name] = await check(page, vector.token, vector.at, vector.name);
    for (const { number } of vector.id_checks || []) {
      await page.fill("#id-number", number);
      await page.press("#id-number", "Enter");
      await page.waitForSelector("#id-result:not([data-match=''])");
      (out.vectors[vector.name].id_checks ||= []).push({
        number,
        match: await page.getAttribute("#id-result", "data-match"),
        said: await page.textContent("#id-result"),
        left: await page.inputValue("#id-number"),
      });
      if (number === vector.id_checks[0].number) await page.screenshot({ path: join(env.ARTIFACTS, "id-match.png") });
      await page.evaluate(() => { const r = document.querySelector("#id-result"); r.dataset.match = ""; r.textContent = ""; });
    }
    if (vector.service) {
      // The venue says the holder is not there: items used together with the holder go.
      const { item, beneficiary } = vector.service;
      await page.selectOption("#holder-present", "absent");
      const entry = page.locator(`#grants-list li[data-item="${item}"][data-person="${beneficiary}"]`);
      out.vectors[vector.name].holder_absent = {
        granted: (await entry.getAttribute("data-granted")) === "true",
        why: await entry.textContent(), // textContent: a refused item sits in a closed <details>
      };
      if (vector.name === "companion") await page.screenshot({ path: join(env.ARTIFACTS, "companion-holder-absent.png"), fullPage: true });
    }
    if (vector.name === "valid") {
      await page.setViewportSize({ width: 480, height: 1280 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(env.ARTIFACTS, "venue-page.png") }); // the picture on docs/venues.md (docs/venue.png)
      await page.setViewportSize({ width: 480, height: 900 });
    }
    if (vector.venue_city) await page.selectOption("#venue-city", "");
  }
  // Keyboard only: the order Tab visits the controls in, every control labelled, and a
  // photo of a QR code chosen through the file input reached by Tab and opened with Space,
  // at the valid vector's time (not the last vector's, which may be past the lists' ttl).
  await page.clock.setFixedTime(vectors[0].at * 1000);
  await page.click("#clear");
  await page.focus("#camera-start"); // the first control; Tab on from there
  const order = ["camera-start"];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press("Tab");
    order.push(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName));
  }
  out.keyboard = {
    order,
    unlabelled: await page.evaluate(() => [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => !el.labels || !el.labels.length).map((el) => el.id)),
    unnamed: await page.evaluate(() => [...document.querySelectorAll("button")]
      .filter((b) => !b.textContent.trim()).map((b) => b.id)),
  };
  await page.focus("#camera-start");
  await page.keyboard.press("Tab"); // to the image's file input
  out.keyboard.chooser_from = await page.evaluate(() => document.activeElement.id);
  const chooser = page.waitForEvent("filechooser");
  await page.keyboard.press("Space");
  await (await chooser).setFiles(env.QR_IMAGE);
  out.keyboard.image = await observe(page, null);
  // An uploaded photo of the QR code (jsQR: headless Chromium on Linux has no BarcodeDetector).
  await page.clock.setFixedTime(vectors[0].at * 1000);
  await page.click("#clear");
  step("image");
  await page.setInputFiles("#image-file", env.QR_IMAGE);
  out.image = await observe(page, "image-valid");
  out.storage = await storage(page);
  await context.close();
}

// 3. A browser without Ed25519 in WebCrypto: the vendored @noble/ed25519 decides the same.
{
  const context = await browser.newContext({ locale: "zh-CN" });
  await context.addInitScript(() => {
    const importKey = crypto.subtle.importKey.bind(crypto.subtle);
    crypto.subtle.importKey = (format, key, algorithm, ...rest) => {
      const name = typeof algorithm === "string" ? algorithm : algorithm && algorithm.name;
      if (name === "Ed25519") return Promise.reject(new DOMException("Ed25519 is not supported", "NotSupportedError"));
      return importKey(format, key, algorithm, ...rest);
    };
  });
  await context.route("**/bundle", (route) => route.abort());
  const page = await open(context, vectors[0].at);
  await page.setInputFiles("#bundle-file", env.BUNDLE_FILE);
  await page.waitForSelector("#trust-age");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  out.fallback = {};
  for (const vector of vectors) out.fallback[vector.name] = await check(page, vector.token, vector.at, null);
  await context.close();
}

await browser.close();

// 4. The camera: Chromium's fake capture device plays a video of the valid vector's QR code.
{
  const camera = await chromium.launch({
    executablePath: env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${env.CAMERA_Y4M}`,
    ],
  });
  const context = await camera.newContext({ locale: "zh-CN", viewport: { width: 480, height: 900 } });
  await context.grantPermissions(["camera"]);
  await context.route("**/bundle", (route) => route.abort());
  const page = await open(context, vectors[0].at);
  await page.setInputFiles("#bundle-file", env.BUNDLE_FILE);
  await page.waitForSelector("#trust-age");
  // Offline only once the service worker holds the page's files (jsQR among them): going
  // offline before it finished installing left the camera with no QR reader.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  step("camera");
  await page.click("#camera-start");
  out.camera = await observe(page, "camera-valid");
  out.camera.stopped = await page.evaluate(() => document.querySelector("#camera").hidden);
  await camera.close();
}

process.stdout.write(JSON.stringify(out));
