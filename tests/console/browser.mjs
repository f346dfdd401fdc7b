// The staff console end to end in headless Chromium (Debian's chromium, driven by
// playwright-core): tests/console/test_console_browser.py serves the API and runs this
// script, which prints what the pages showed as JSON; the assertions are the Python test's.
//
// Each user works in a browser context of their own (their own cookies) and moves as a
// person would: links, buttons and fields found by their visible text and labels, forms
// sent with their button. The console has no script, so nothing here waits on one.
//
// Environment: CONSOLE_URL (the API's base), USERS (who → {name, key}), LIAOCHENG_HOLDER
// and SHANDONG_HOLDER (name, id_number, date_of_birth), CREDIT_CODE (the employer's),
// ARTIFACTS (screenshots) and CHROMIUM.
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = process.env;
const BASE = env.CONSOLE_URL;
const USERS = JSON.parse(env.USERS);
const LIAOCHENG = JSON.parse(env.LIAOCHENG_HOLDER);
const SHANDONG = JSON.parse(env.SHANDONG_HOLDER);
const STEP_MS = Number(env.STEP_MS || 60_000); // the machine running the tests may be busy
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

const browser = await chromium.launch({ executablePath: env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const out = { unlabelled: {}, phone: { overflow: {} } };
const step = (what) => process.stderr.write(`${new Date().toISOString()} ${what}\n`);
const shot = (page, name, fullPage = true) => page.screenshot({ path: join(env.ARTIFACTS, `${name}.png`), fullPage });

// ---- people and pages ----------------------------------------------------------------------

async function person(who, viewport = DESKTOP) {
  const context = await browser.newContext({ locale: "zh-CN", viewport });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on("console", (m) => step(`console ${who}: ${m.text()}`));
  return { who, context, page };
}

async function signIn({ who, page }, screenshot) {
  step(`${who} signs in`);
  await page.goto(`${BASE}/console/`); // not signed in: the sign-in page
  await page.getByLabel("用户名 User name").fill(USERS[who].name);
  await page.getByLabel("密钥 Key").fill(USERS[who].key);
  if (screenshot) await shot(page, screenshot);
  await page.getByRole("button", { name: "登录 Sign in" }).click();
  await page.waitForURL("**/console/work");
  await labelled(page, "work");
}

// Every input, select and textarea has a label, every button a name (recorded per page).
async function labelled(page, where) {
  const bare = await page.evaluate(() => [
    ...[...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
      .filter((el) => !el.labels || !el.labels.length).map((el) => el.name || el.id),
    ...[...document.querySelectorAll("button")].filter((b) => !b.textContent.trim()).map(() => "button"),
  ]);
  if (bare.length) out.unlabelled[where] = bare;
}

async function nav(page, name) {
  await page.getByRole("navigation").getByRole("link", { name }).click();
  await page.waitForLoadState();
}

// From my work (or approvals), the card by its holder's name: whether it was listed (not
// listed, the card is found by its id, and the test says it was not).
async function openFromList(page, holder, cardId) {
  const link = page.getByRole("main").getByRole("link", { name: holder, exact: true });
  if (!(await link.count())) {
    step(`  ${holder} is not listed on ${page.url()}`);
    await findCard(page, cardId);
    return false;
  }
  await link.click();
  await page.waitForURL(/\/console\/cards\/[0-9a-f-]+$/);
  await labelled(page, "card");
  return true;
}

async function findCard(page, cardId) {
  await nav(page, "查找 Find a card");
  await page.getByLabel("卡号 Card id").fill(cardId);
  await page.getByRole("button", { name: "打开 Open" }).click();
  await page.waitForURL(`**/console/cards/${cardId}`);
}

// One of "What I may do": open its disclosure by its title, fill it, send it with its
// button. Refused, the page says so beside the form: that is an error here.
async function act(page, title, fill) {
  step(`  ${title}`);
  const action = page.locator("details.action").filter({ has: page.locator("summary", { hasText: title }) });
  await action.locator("summary").click();
  if (fill) await fill(action);
  await labelled(page, `act ${title}`);
  await action.getByRole("button", { name: title }).click();
  await page.waitForLoadState();
  const refusal = page.locator("#refusal");
  if (await refusal.count()) throw new Error(`${title} refused: ${await refusal.innerText()}`);
  return { refusal: null, url: page.url() };
}

async function status(page) {
  return (await page.locator("h1 .status").innerText()).trim();
}

async function timeline(page) {
  return page.locator("#timeline li").evaluateAll((items) => items.map((li) => [
    li.querySelector(".event strong").textContent.trim(),
    li.querySelector(".actor").textContent.trim(),
  ]));
}

async function credential(page) {
  return {
    qr_svg: (await page.locator(".qr svg").count()) === 1 && (await page.locator(".qr svg").isVisible()),
    credential: await page.getByLabel("凭证文本 Credential text").inputValue(),
    status: await status(page),
  };
}

// Pages that scroll sideways at a phone's width (a layout that does not fit).
async function fits(page, where) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (wide > 0) out.phone.overflow[where] = wide;
}

// ---- filing ---------------------------------------------------------------------------------

async function file(page, { scheme, category, facts, holder, sponsor, screenshots }) {
  step(`file ${scheme} ${category}`);
  await nav(page, "申领 File");
  await page.getByLabel(scheme, { exact: true }).check();
  await page.getByRole("button", { name: "继续 Continue" }).click();
  await page.getByRole("link", { name: new RegExp(`^${category} — `) }).click();
  await page.waitForURL(`**/console/file/${scheme}/${category}`);
  await labelled(page, "file form");
  for (const fact of facts) await page.getByLabel(fact).check();
  const holderBox = page.getByRole("group", { name: "持卡人 Holder" });
  await holderBox.getByLabel("姓名 Name").fill(holder.name);
  await holderBox.getByLabel("身份证号 ID number").fill(holder.id_number);
  await holderBox.getByLabel("出生日期 Date of birth").fill(holder.date_of_birth);
  const sponsorBox = page.getByRole("group", { name: "申报单位 Sponsor" });
  await sponsorBox.getByLabel("类型 Kind").selectOption("employer");
  await sponsorBox.getByLabel("名称 Name").fill(sponsor);
  await sponsorBox.getByLabel("统一社会信用代码 Credit code").fill(env.CREDIT_CODE);
  await page.getByLabel("证明材料 Evidence references (one a line)").fill("doc://platform-certificate/1");
  if (screenshots) await shot(page, "file-form");
  await page.getByRole("button", { name: "检查 Check your answers" }).click();
  await page.getByRole("heading", { name: "核对信息 Check your answers" }).waitFor();
  const check = await page.locator("main").innerText();
  if (screenshots) await shot(page, "file-check");
  await page.getByRole("button", { name: "提交申领 File the application" }).click();
  await page.waitForURL(/\/console\/cards\/[0-9a-f-]+$/);
  return { card_id: page.url().split("/").pop(), check_page: check, filed_status: await status(page) };
}

// ---- A: a Liaocheng card's life ---------------------------------------------------------

const A = {};
out.liaocheng = A;
{
  const employer = await person("employer");
  await signIn(employer, "sign-in");
  Object.assign(A, await file(employer.page, {
    scheme: "liaocheng",
    category: "art5.3",
    facts: ["certified excellent talent (经平台认定的优秀人才)"],
    holder: LIAOCHENG,
    sponsor: "聊城大学",
    screenshots: true,
  }));
  step(`filed ${A.card_id}`);
  A.in_work = {};

  // No window takes a Liaocheng file in (its reviewed route has no intake): the city
  // HRSS's review is the first step.
  // The city HRSS's work and the card waiting for it, at a phone's width and in forced
  // colours (Windows high contrast), before it reviews.
  step("phone and forced colours");
  const phone = await person("hrss", PHONE);
  await signIn(phone);
  await fits(phone.page, "work");
  await shot(phone.page, "work-phone");
  await openFromList(phone.page, LIAOCHENG.name, A.card_id);
  await phone.page.locator("#act-review summary").click();
  await fits(phone.page, "card");
  await shot(phone.page, "card-phone");
  await phone.page.goto(`${BASE}/console/file/liaocheng/art5.3`);
  await fits(phone.page, "file form");
  await phone.context.close();
  const forced = await person("hrss");
  await forced.page.emulateMedia({ forcedColors: "active" });
  await signIn(forced);
  await shot(forced.page, "work-forced-colours");
  await openFromList(forced.page, LIAOCHENG.name, A.card_id);
  await forced.page.locator("#act-review summary").click();
  await shot(forced.page, "card-forced-colours");
  await forced.context.close();

  // The city HRSS reviews first.
  const hrss = await person("hrss");
  await signIn(hrss);
  await shot(hrss.page, "work-desktop");
  A.in_work.hrss = await openFromList(hrss.page, LIAOCHENG.name, A.card_id);
  await shot(hrss.page, "card-review-desktop");
  await act(hrss.page, "审核 Review", async (a) => {
    await a.getByLabel("审核环节 Stage").selectOption("city_hrss");
    await a.getByLabel("决定 Decision").selectOption("approved");
  });

  // The talent office agrees, with the keyboard alone: sign-in, my work, the card, the
  // review's disclosure, its fields and its button, by Tab, Shift+Tab, Space and Enter.
  const office = await person("office");
  const kb = office.page;
  out.keyboard = { stops: [], signed_in: false, reviewed: false, shift_tab_went_back: false };
  const focused = () => kb.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName,
      id: el.id,
      text: (el.textContent || "").trim().slice(0, 40),
      visible: el !== document.body && el.matches(":focus-visible") && style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    };
  });
  // Tab (or Shift+Tab) until the focused element is the one wanted; each stop recorded.
  async function tabTo(test, what, arg = null) {
    for (let i = 0; i < 80; i++) {
      await kb.keyboard.press("Tab");
      const at = await focused();
      out.keyboard.stops.push({ page: new URL(kb.url()).pathname, ...at });
      if (await kb.evaluate(test, arg)) return at;
    }
    throw new Error(`Tab never reached ${what}`);
  }
  step("keyboard: sign in");
  await kb.goto(`${BASE}/console/sign-in`);
  await tabTo(() => document.activeElement.id === "name", "the user name");
  await kb.keyboard.type(USERS.office.name);
  await tabTo(() => document.activeElement.id === "key", "the key");
  await kb.keyboard.type(USERS.office.key);
  await tabTo(() => document.activeElement.type === "submit" && document.activeElement.textContent.includes("登录"), "sign in");
  await kb.keyboard.press("Enter");
  await kb.waitForURL("**/console/work");
  out.keyboard.signed_in = true;
  step("keyboard: my work → the card");
  await tabTo((name) => document.activeElement.tagName === "A" && document.activeElement.textContent.trim() === name, "the card's link", LIAOCHENG.name);
  A.in_work.office = true;
  await kb.keyboard.press("Enter");
  await kb.waitForURL(/\/console\/cards\/[0-9a-f-]+$/);
  step("keyboard: the review");
  const summary = () => document.activeElement.tagName === "SUMMARY" && document.activeElement.parentElement.id === "act-review";
  await tabTo(summary, "the review's summary");
  await kb.keyboard.press("Space"); // opens the disclosure
  await tabTo(() => document.activeElement.id === "review-stage", "the stage");
  await kb.keyboard.press("Shift+Tab");
  out.keyboard.shift_tab_went_back = await kb.evaluate(summary);
  await kb.keyboard.press("Tab");
  // A closed select takes arrow keys: down until it reads the stage (and the decision).
  async function choose(value) {
    for (let i = 0; i < 20 && (await kb.evaluate(() => document.activeElement.value)) !== value; i++) await kb.keyboard.press("ArrowDown");
    if ((await kb.evaluate(() => document.activeElement.value)) !== value) throw new Error(`could not choose ${value}`);
  }
  await choose("talent_office");
  await tabTo(() => document.activeElement.id === "review-decision", "the decision");
  await choose("approved");
  await tabTo(() => document.activeElement.type === "submit" && !!document.activeElement.closest("#act-review"), "the review's button");
  await shot(kb, "keyboard-focus", false);
  await kb.keyboard.press("Enter");
  await kb.waitForURL(/#timeline$/);
  const last = (await timeline(kb)).at(-1);
  out.keyboard.reviewed = last[0] === "ReviewRecorded" && last[1] === USERS.office.name;

  // Another city HRSS user issues, then sees the QR code and the credential's text.
  const issuer = await person("issuer");
  await signIn(issuer);
  A.in_work.issuer = await openFromList(issuer.page, LIAOCHENG.name, A.card_id);
  await act(issuer.page, "颁发 Issue");
  A.issued = await credential(issuer.page);
  await shot(issuer.page, "card-issued-desktop");

  // A cinema in Liaocheng records a film: it finds the card by its id.
  const venue = await person("venue");
  await signIn(venue);
  await findCard(venue.page, A.card_id);
  await labelled(venue.page, "venue card");
  A.redeem = await act(venue.page, "记录使用 Record a use", async (a) => {
    await a.getByLabel("服务事项 Service item").fill("liaocheng.21.films");
    await a.getByLabel("受益人 Beneficiary").selectOption("holder");
  });
  await issuer.page.reload();
  A.balance_after_use = await issuer.page.getByRole("region", { name: "已用与剩余 Used and left" }).innerText();

  // The employer proposes the revocation; the city window forwards it, the city HRSS agrees.
  await employer.page.goto(`${BASE}/console/cards/${A.card_id}`);
  await act(employer.page, "提出收回 Propose revocation", async (a) => {
    await a.getByLabel("理由 Reason").fill("left the city's employ");
    await a.getByLabel("依据 Ground").fill("misconduct");
  });
  A.revocation = { in_approvals: {} };
  const window = await person("window");
  await signIn(window);
  await nav(window.page, "审批 Approvals");
  A.revocation.in_approvals.window = await openFromList(window.page, LIAOCHENG.name, A.card_id);
  A.revocation.window_sees = await window.page.locator("#act-approve_revocation .two-person").textContent();
  await act(window.page, "同意收回 Approve revocation");
  await nav(hrss.page, "审批 Approvals");
  await shot(hrss.page, "approvals-desktop");
  A.revocation.in_approvals.hrss = await openFromList(hrss.page, LIAOCHENG.name, A.card_id);
  A.revocation.hrss_sees = await hrss.page.locator("#act-approve_revocation .two-person").textContent();
  await act(hrss.page, "同意收回 Approve revocation");
  A.final_status = await status(hrss.page);
  A.timeline = await timeline(hrss.page);
  for (const p of [employer, window, hrss, office, issuer, venue]) await p.context.close();
}

// ---- B: a Shandong card level by level ------------------------------------------------------

const B = {};
out.shandong = B;
{
  const employer = await person("employer");
  await signIn(employer);
  Object.assign(B, await file(employer.page, {
    scheme: "shandong",
    category: "direct",
    facts: [
      "national comprehensive programme via an in-province employer",
      /^5\.2\.1: the titles or programmes won/,
    ],
    holder: SHANDONG,
    sponsor: "聊城大学",
  }));
  step(`filed ${B.card_id}`);
  B.stages = [];
  // The city window's review, then the provincial window's receipt and review.
  const window = await person("window");
  await signIn(window);
  await openFromList(window.page, SHANDONG.name, B.card_id);
  await act(window.page, "审核 Review", async (a) => {
    await a.getByLabel("审核环节 Stage").selectOption("city_window");
    await a.getByLabel("决定 Decision").selectOption("approved");
  });
  B.stages.push(["city_window", USERS.window.name]);
  const province = await person("province");
  await signIn(province);
  await openFromList(province.page, SHANDONG.name, B.card_id);
  await act(province.page, "受理 Record receipt", (a) => a.getByLabel("受理窗口 Window").selectOption("provincial_window"));
  await act(province.page, "审核 Review", async (a) => {
    await a.getByLabel("审核环节 Stage").selectOption("provincial_window");
    await a.getByLabel("决定 Decision").selectOption("approved");
  });
  B.stages.push(["provincial_window", USERS.province.name]);
  // Another provincial window user issues.
  const issuer = await person("province_issuer");
  await signIn(issuer);
  await openFromList(issuer.page, SHANDONG.name, B.card_id);
  await act(issuer.page, "颁发 Issue");
  B.issued = await credential(issuer.page);
  B.final_status = await status(issuer.page);
  B.timeline = await timeline(issuer.page);
  for (const p of [employer, window, province, issuer]) await p.context.close();
}

await browser.close();
process.stdout.write(JSON.stringify(out));
