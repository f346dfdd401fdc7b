// The venue page: reads a card's QR code (camera, image or pasted text), verifies it offline
// against the bundle it keeps (verify.js), and shows the verdict, the card and what it grants
// at this venue. It keeps the bundle and the venue's city, and nothing of the cards it checks.

import { holderMatches } from "./binding.js";
import { BundleError, Refusal, grants, hex, people, readBundle, signatureEngine, verify } from "./verify.js";

const $ = (id) => document.getElementById(id);
const BUNDLE_CACHE = "talentcard-venue-bundle";
const BUNDLE_KEY = new URL("bundle.cbor", location.href).href; // a key in the page's own Cache, never fetched
const BUNDLE_URL = new URL("../bundle", location.href).href; // GET /bundle of the registry
const ROOT_PIN = "talentcard-venue-root";
const CITY = "talentcard-venue-city";
const CLEAR_AFTER_MS = 120_000; // a verdict stays on screen two minutes at most

const REASONS = {
  ok: ["真实有效，未撤销", "Genuine, in force, not revoked"],
  too_large: ["凭证数据过大", "The credential is too large"],
  bad_format: ["不是有效的人才卡凭证", "Not a talent card credential"],
  unknown_key: ["签发密钥不在信任列表中", "Signed by a key not on the trust list"],
  bad_signature: ["签名无效，凭证可能被篡改", "The signature does not verify: the credential may have been altered"],
  key_not_valid_for_scheme: ["签发机关无权签发此类卡", "The issuer may not issue this kind of card"],
  not_yet_valid: ["尚未生效", "Not yet valid"],
  expired: ["已过期", "Expired"],
  status_list_unavailable: ["缺少该卡的状态列表，请更新数据包", "No status list for this card: update the bundle"],
  suspended: ["已暂停使用", "Suspended"],
  revoked: ["已撤销", "Revoked"],
  superseded: ["凭证已被新凭证取代，家庭成员不可凭此享受服务", "Superseded by a newer credential: it grants no family member anything"],
  trust_list_expired: ["信任列表已过期，请更新数据包", "The trust list has expired: update the bundle"],
  status_list_stale: ["状态列表已过时，请更新数据包", "The status list is out of date: update the bundle"],
  venue_rules_expired: ["场所规则已过期，请更新数据包", "The venue rules have expired: update the bundle"],
  no_bundle: ["尚无核验数据包", "No verification data yet: load a bundle"],
  no_code: ["图片中未找到二维码", "No QR code found in the image"],
  error: ["核验出错，请勿放行", "The check failed: do not admit on this card"],
};
const SCHEMES = { shandong: "山东惠才卡 Shandong", weihai: "威海英才卡 Weihai", liaocheng: "聊城金卡 Liaocheng", jinan: "泉城金卡 Jinan" };
// A superseded credential (status 3): the card was amended and a newer credential replaced
// this one; it still holds for the holder (and a companion), for no family member.
const SUPERSEDED_WORDS = "⚠ 此凭证已被新凭证取代（所载人员有变更）：仅对持卡人本人（及随行人员）有效，家庭成员不能凭此享受服务，请持卡人出示最新凭证"
  + " · Superseded: a newer credential replaced this one after a change to the people it names. It holds for the holder (and a companion) only,"
  + " not for any family member: ask the holder for the current credential";
const SUPERSEDED_MEMBER = "✘ 凭证已被取代：不可为该家庭成员提供服务，请持卡人出示最新凭证 · Superseded credential: nothing for this family member; ask the holder for the current credential";
const RELATIONS = { holder: "持卡人 holder", spouse: "配偶 spouse", child: "子女 child", parent: "父母 parent", spouse_parent: "配偶父母 spouse's parent", companion: "随行人员 companion" };

let bundle = null;
let shown = null; // the claims of the card on screen, while its verdict is; never stored
let shownSuperseded = false; // whether that card's credential is superseded
let clearTimer = null;
const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---- the bundle: kept in the Cache API, refreshed from GET /bundle when online -------------

async function storedBundle() {
  const cache = await caches.open(BUNDLE_CACHE);
  const response = await cache.match(BUNDLE_KEY);
  return response ? new Uint8Array(await response.arrayBuffer()) : null;
}

// Verify `bytes` as a bundle and, if it is sound, signed by the pinned root (the first
// bundle pins its root) and not older than the one held, keep and use it.
async function adopt(bytes, source, etag = null) {
  const candidate = await readBundle(bytes);
  const pinned = localStorage.getItem(ROOT_PIN);
  const root = hex(candidate.root);
  if (pinned && pinned !== root) {
    throw new BundleError(`此数据包的根密钥与本设备固定的不同 · this bundle's root key ${root.slice(0, 16)}… is not the one this device pinned (${pinned.slice(0, 16)}…)`);
  }
  if (bundle && source === "online" && candidate.trust.issuedAt < bundle.trust.issuedAt) return false;
  localStorage.setItem(ROOT_PIN, root);
  const cache = await caches.open(BUNDLE_CACHE);
  const headers = { "content-type": "application/cbor", ...(etag ? { etag } : {}) };
  await cache.put(BUNDLE_KEY, new Response(bytes, { headers }));
  bundle = candidate;
  fillCities();
  showFreshness();
  return true;
}

async function fetchBundle() {
  if (!navigator.onLine) return;
  try {
    // The bundle held came from here: a 304 says it is still the registry's current one.
    const held = await (await caches.open(BUNDLE_CACHE)).match(BUNDLE_KEY);
    const etag = held && held.headers.get("etag");
    const response = await fetch(BUNDLE_URL, { cache: "no-store", headers: etag ? { "if-none-match": etag } : {} });
    if (response.status === 304) {
      message("");
      return;
    }
    if (!response.ok) {
      if (!bundle) message(`服务器未提供数据包 · the registry gave no bundle (HTTP ${response.status}): load a bundle file`);
      return;
    }
    await adopt(new Uint8Array(await response.arrayBuffer()), "online", response.headers.get("etag"));
    message("");
  } catch (e) {
    if (e instanceof BundleError) message(`数据包被拒绝 · bundle refused: ${e.message}`);
    // a network failure offline: keep the bundle held
  }
}

function message(text) {
  $("bundle-message").textContent = text;
}

// A duration in words: [Chinese, English].
function age(seconds) {
  const s = Math.max(0, seconds);
  if (s < 120) return [`${s} 秒`, `${s} s`];
  if (s < 7200) return [`${Math.floor(s / 60)} 分钟`, `${Math.floor(s / 60)} min`];
  if (s < 172800) return [`${Math.floor(s / 3600)} 小时`, `${Math.floor(s / 3600)} h`];
  return [`${Math.floor(s / 86400)} 天`, `${Math.floor(s / 86400)} days`];
}

function showFreshness() {
  const box = $("freshness");
  box.replaceChildren();
  const line = (text, warning, id) => {
    const p = document.createElement("p");
    p.textContent = text;
    if (id) p.id = id;
    if (warning) p.className = "warning";
    box.append(p);
  };
  if (!bundle) {
    line("⚠ 尚无核验数据包：请联网打开本页或载入数据包文件 · No verification data: open this page online or load a bundle file", true, "bundle-state");
    return;
  }
  const now = nowSeconds();
  const trust = bundle.trust;
  const [signedZh, signedEn] = age(now - trust.issuedAt);
  if (now > trust.expiresAt) {
    const [lateZh, lateEn] = age(now - trust.expiresAt);
    line(`⚠ 信任列表已过期：${signedZh}前签发，已过期 ${lateZh}，请更新数据包 · Trust list EXPIRED: signed ${signedEn} ago, expired ${lateEn} ago: update the bundle`, true, "trust-age");
  } else {
    const [leftZh, leftEn] = age(trust.expiresAt - now);
    line(`信任列表：${signedZh}前签发，还可用 ${leftZh} · Trust list: signed ${signedEn} ago, valid ${leftEn} more`, false, "trust-age");
  }
  const lists = [...bundle.statusLists.values()];
  if (!lists.length) {
    line("⚠ 数据包中没有状态列表 · The bundle holds no status list", true, "status-age");
  } else {
    const oldest = lists.reduce((a, b) => (a.issuedAt <= b.issuedAt ? a : b));
    const stale = lists.some((l) => now > l.issuedAt + l.ttl || now > l.expiresAt);
    const [oldZh, oldEn] = age(now - oldest.issuedAt);
    const [ttlZh, ttlEn] = age(oldest.ttl);
    line(stale
      ? `⚠ 状态列表已过时：${oldZh}前签发，时效 ${ttlZh}，请更新数据包 · Status lists STALE: signed ${oldEn} ago, past their ttl of ${ttlEn}: update the bundle`
      : `状态列表：${oldZh}前签发，时效 ${ttlZh} · Status lists: signed ${oldEn} ago, ttl ${ttlEn}`, stale, "status-age");
  }
  if (bundle.problems.length) line(`⚠ ${bundle.problems.length} 个状态列表无法使用 · status list(s) unusable: ${bundle.problems.map((p) => p.file).join(", ")}`, true);
}

function fillCities() {
  const select = $("venue-city");
  const chosen = localStorage.getItem(CITY) || "";
  select.replaceChildren(select.options[0]);
  for (const city of Object.keys(bundle.rules.cities)) {
    const option = document.createElement("option");
    option.value = city;
    option.textContent = SCHEMES[city] || city;
    select.append(option);
  }
  select.value = Object.hasOwn(bundle.rules.cities, chosen) ? chosen : "";
}

// ---- checking a card -----------------------------------------------------------------------

function showVerdict(valid, reason, detail, superseded = false) {
  const box = $("verdict");
  const [zh, en] = REASONS[reason] || [reason, reason];
  box.className = `verdict ${valid ? "valid" : "refused"}${superseded ? " superseded" : ""}`;
  box.dataset.reason = reason;
  box.dataset.superseded = String(superseded);
  box.replaceChildren();
  const word = document.createElement("p");
  word.className = "verdict-word";
  word.textContent = valid ? "✔ 有效 VALID" : "✘ 拒绝 REFUSED";
  const why = document.createElement("p");
  why.className = "verdict-reason";
  why.textContent = `${zh} · ${en}`;
  box.append(word, why);
  if (detail) {
    const more = document.createElement("p");
    more.className = "verdict-detail";
    more.textContent = detail;
    box.append(more);
  }
  if (superseded && valid) {
    const note = document.createElement("p");
    note.className = "superseded-note";
    note.id = "verdict-superseded";
    note.textContent = SUPERSEDED_WORDS;
    box.append(note);
  }
}

function showIdResult(match) {
  const result = $("id-result");
  result.dataset.match = match === null ? "invalid" : match === undefined ? "" : String(match);
  result.textContent = match === undefined ? ""
    : match === null ? "✘ 不是有效的居民身份证号码 · Not a valid resident ID number"
      : match ? "✔ 身份证与持卡人一致 · The ID card is the holder's"
        : "✘ 身份证不是持卡人的 · The ID card is NOT the holder's";
}

function showCard(claims) {
  showIdResult(undefined);
  $("id-number").value = "";
  $("card").hidden = !claims;
  if (!claims) return;
  $("card-holder").textContent = claims.holderName;
  $("card-tier").textContent = `${SCHEMES[claims.scheme] || claims.scheme} · ${claims.tier}`;
  $("card-until").textContent = claims.validUntil || "长期 no end date";
}

const PRESENCE = { "": null, present: true, absent: false };

function showGrants(claims, superseded = false) {
  shown = claims;
  shownSuperseded = superseded;
  const list = $("grants-list");
  list.replaceChildren();
  $("grants").hidden = !claims;
  if (!claims) return;
  const venue = $("venue-city").value || claims.scheme;
  let answers;
  try {
    answers = grants(bundle, claims, venue, { now: nowSeconds(), holderPresent: PRESENCE[$("holder-present").value], superseded });
  } catch (e) {
    const [zh, en] = REASONS[e instanceof Refusal ? e.reason : "error"];
    const p = document.createElement("p");
    p.className = "warning";
    p.id = "grants-refused";
    p.dataset.reason = e instanceof Refusal ? e.reason : "error";
    p.textContent = `⚠ ${zh} · ${en}${e instanceof Refusal ? "" : ` (${e})`}`;
    list.append(p);
    return;
  }
  $("grants-title").textContent = `${SCHEMES[venue] || venue}：本场所可享服务 · Services at a ${venue} venue`;
  for (const person of people(claims)) {
    const mine = answers.filter((a) => a.person === person.id);
    const section = document.createElement("section");
    section.className = "person";
    section.dataset.person = person.id;
    const title = document.createElement("h3");
    title.textContent = `${RELATIONS[person.kind] || person.kind}${person.name ? `：${person.name}` : ""}`;
    const granted = document.createElement("ul");
    const refused = document.createElement("ul");
    for (const a of mine) {
      const li = document.createElement("li");
      li.className = a.granted ? "granted" : "refused";
      Object.assign(li.dataset, { item: a.item, person: a.person, granted: String(a.granted), code: a.code, rules: a.rules.join(", "), requires: JSON.stringify(a.requires) });
      li.textContent = `${a.name} (${a.item})`;
      for (const r of a.requires) {
        const req = document.createElement("span");
        req.className = "requires";
        req.textContent = `须查验 must see: ${r}`;
        li.append(req);
      }
      if (!a.granted) {
        const why = document.createElement("span");
        why.className = "why";
        why.textContent = a.reason;
        li.append(why);
      }
      (a.granted ? granted : refused).append(li);
    }
    const count = granted.children.length;
    const summary = document.createElement("p");
    summary.textContent = count ? `可享 ${count} 项 · ${count} item(s) granted` : "本场所无可享服务 · nothing granted here";
    if (mine.some((a) => a.code === "superseded")) {
      section.dataset.superseded = "true";
      summary.className = "superseded-note";
      summary.textContent = SUPERSEDED_MEMBER;
    }
    const details = document.createElement("details");
    const label = document.createElement("summary");
    label.textContent = `不可享 ${refused.children.length} 项及原因 · not granted, and why`;
    details.append(label, refused);
    section.append(title, summary, granted, details);
    list.append(section);
  }
}

async function check(text) {
  clearTimeout(clearTimer);
  $("holder-present").value = ""; // asked afresh for every card
  $("token").value = ""; // the token is not kept, not even in the text box
  if (!bundle) {
    showVerdict(false, "no_bundle", "");
    showCard(null);
    showGrants(null);
    return;
  }
  let result;
  try {
    result = await verify(text, bundle, { now: nowSeconds() });
  } catch (e) {
    // A fault of the page itself, never a pass: refused, saying so.
    result = { valid: false, reason: "error", detail: String(e), claims: null };
  }
  showFreshness();
  const superseded = result.valid && result.superseded === true;
  showVerdict(result.valid, result.reason, result.valid ? "" : result.detail, superseded);
  showCard(result.valid ? result.claims : null);
  showGrants(result.valid ? result.claims : null, superseded);
  clearTimer = setTimeout(clear, CLEAR_AFTER_MS);
  $("verdict").focus({ preventScroll: true });
  $("verdict").scrollIntoView({ block: "start" });
}

function clear() {
  const box = $("verdict");
  box.className = "verdict none";
  box.dataset.reason = "";
  box.dataset.superseded = "";
  box.innerHTML = '<p class="verdict-word">请扫描人才卡 <span lang="en">Scan a talent card</span></p>';
  showCard(null);
  showGrants(null);
}

// ---- reading QR codes: BarcodeDetector where the browser has it, else the vendored jsQR -----

let detector;
async function qrReader() {
  if (detector) return detector;
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) {
        const native = new window.BarcodeDetector({ formats: ["qr_code"] });
        detector = async (source) => (await native.detect(source))[0]?.rawValue ?? null;
        return detector;
      }
    } catch { /* fall through to jsQR */ }
  }
  if (!window.jsQR) {
    await new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "vendor/jsQR.js";
      script.onload = resolve;
      script.onerror = () => reject(new Error("vendor/jsQR.js did not load"));
      document.head.append(script);
    });
  }
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  detector = async (source) => {
    const width = source.videoWidth || source.width;
    const height = source.videoHeight || source.height;
    if (!width || !height) return null;
    canvas.width = width;
    canvas.height = height;
    context.drawImage(source, 0, 0, width, height);
    const code = window.jsQR(context.getImageData(0, 0, width, height).data, width, height);
    return code ? code.data : null;
  };
  return detector;
}

async function readImage(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    showVerdict(false, "no_code", "");
    return;
  }
  try {
    let reader;
    try {
      reader = await qrReader();
    } catch (e) {
      message(`无法读取二维码 · the QR reader is not available (${e.message}): open this page online once`);
      return;
    }
    const text = await reader(bitmap);
    if (text) await check(text);
    else showVerdict(false, "no_code", "");
  } finally {
    bitmap.close();
  }
}

let stream = null;
async function startCamera() {
  const video = $("camera");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch (e) {
    message(`无法使用摄像头 · the camera is not available (${e.name}); the page needs HTTPS or localhost`);
    return;
  }
  video.srcObject = stream;
  video.hidden = false;
  $("camera-start").hidden = true;
  $("camera-stop").hidden = false;
  await video.play();
  let read;
  try {
    read = await qrReader();
  } catch (e) {
    stopCamera();
    message(`无法读取二维码 · the QR reader is not available (${e.message}): open this page online once`);
    return;
  }
  const scan = async () => {
    if (!stream) return;
    const text = video.readyState >= 2 ? await read(video) : null;
    if (text && text.startsWith("TC1:")) {
      stopCamera();
      await check(text);
      return;
    }
    setTimeout(scan, 200);
  };
  scan();
}

function stopCamera() {
  if (stream) stream.getTracks().forEach((t) => t.stop());
  stream = null;
  $("camera").srcObject = null;
  $("camera").hidden = true;
  $("camera-start").hidden = false;
  $("camera-stop").hidden = true;
  $("camera-start").focus();
}

// ---- wiring ------------------------------------------------------------------------------

async function start() {
  $("verdict").tabIndex = -1;
  $("paste-form").addEventListener("submit", (e) => {
    e.preventDefault();
    check($("token").value);
  });
  $("token").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      check($("token").value);
    }
  });
  $("clear").addEventListener("click", clear);
  $("id-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const number = $("id-number").value;
    $("id-number").value = ""; // the number is not kept
    if (shown) showIdResult(await holderMatches(shown, number));
  });
  $("camera-start").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", stopCamera);
  $("image-file").addEventListener("change", async (e) => {
    const [file] = e.target.files;
    e.target.value = "";
    if (file) await readImage(file);
  });
  $("bundle-file").addEventListener("change", async (e) => {
    const [file] = e.target.files;
    e.target.value = "";
    if (!file) return;
    try {
      await adopt(new Uint8Array(await file.arrayBuffer()), "file");
      message("");
      $("bundle-message").dataset.loaded = "file";
    } catch (err) {
      message(`数据包被拒绝 · bundle refused: ${err.message}`);
    }
  });
  $("bundle-refresh").addEventListener("click", fetchBundle);
  $("venue-city").addEventListener("change", (e) => {
    localStorage.setItem(CITY, e.target.value);
    if (shown) showGrants(shown, shownSuperseded);
  });
  $("holder-present").addEventListener("change", () => {
    if (shown) showGrants(shown, shownSuperseded);
  });
  window.addEventListener("online", fetchBundle);
  setInterval(showFreshness, 30_000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("sw.js").catch((e) => message(`离线功能不可用 · offline use is unavailable: ${e.message}`));
  }
  $("engine").textContent = `签名验证 Signatures: ${(await signatureEngine()).name}`;
  const held = await storedBundle();
  if (held) {
    try {
      bundle = await readBundle(held);
      fillCities();
    } catch (e) {
      message(`保存的数据包无法使用 · the bundle held is unusable: ${e.message}`);
    }
  }
  showFreshness();
  await fetchBundle();
  document.body.dataset.ready = "true";
}

start();
