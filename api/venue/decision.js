// Whether a card grants a service item to a person at a venue, decided from the venue rules
// the signed bundle carries: a line-by-line port of signing/venue_decision.py (the same
// rules are data in the bundle; none is written here). Days are ISO dates ("2026-03-02"),
// which compare as the dates do. The browser test holds this port to the Python one on
// every item and person of the shared test vectors.

const HOLDER = "holder";
const COMPANION = "companion";
const CHILD = "child";
const MINOR_CHILD = "minor_child";
const UNDER_MARRIAGE_AGE = "child_under_marriage_age";
const SHANDONG = "shandong";

export class ServiceError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// ---- days -------------------------------------------------------------------------------

export function isoOfDays(days) {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

function daysOfIso(iso) {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
}

// The business date (Asia/Shanghai, UTC+8) of Unix seconds.
export function businessDate(seconds) {
  return isoOfDays(Math.floor((seconds + 8 * 3600) / 86_400));
}

// The date `years` years after `start` (29 February → 1 March in common years), as
// domain.clock.anniversary.
function anniversary(start, years) {
  const [y, m, d] = start.split("-").map(Number);
  const year = String(y + years).padStart(4, "0");
  const candidate = `${year}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  if (isoOfDays(daysOfIso(candidate)) === candidate) return candidate;
  return `${year}-03-01`;
}

const inForce = (spans, day) => (spans || []).some(([start, end]) => start <= day && (end === null || day <= end));
const today = (rules, day) => (rules || []).filter((r) => inForce(r.spans, day));
const firstWho = (rules, day) => (rules || []).find((w) => inForce(w.spans, day)) || null;

// ---- the index ----------------------------------------------------------------------------

export class VenueIndex {
  constructor(rules) {
    this.rules = rules;
    this.days = new Map();
  }

  on(venue, code, day) {
    const key = `${venue}\u0000${code}\u0000${day}`;
    let hit = this.days.get(key);
    if (hit === undefined) {
      hit = this.lookUp(venue, code, day);
      if (this.days.size >= 10_000) this.days.clear();
      this.days.set(key, hit);
    }
    return hit;
  }

  version(venue, day) {
    const city = Object.hasOwn(this.rules.cities, venue) ? this.rules.cities[venue] : null;
    if (!city) throw new ServiceError("unknown_city", `no venue rules for '${venue}'`);
    const version = city.versions.find((v) => inForce(v.spans, day));
    if (!version) throw new ServiceError("no_policy", `no ${venue} policy version is in force on ${day}`);
    return version.id;
  }

  lookUp(venue, code, day) {
    const version = this.version(venue, day);
    const city = this.rules.cities[venue];
    const wholes = city.wholes || {};
    if (Object.hasOwn(wholes, code)) return { parts: wholes[code] };
    const item = Object.hasOwn(city.items, code) ? city.items[code] : null;
    if (!item) throw new ServiceError("unknown_item", `'${code}' is not a ${venue} service item`);
    let stackingRule = null;
    let provincial = [];
    if (item.stacking) {
      const found = item.stacking.rules.find(([, spans]) => inForce(spans, day));
      stackingRule = found ? found[0] : null;
      const covers = this.rules.provincial_cover;
      provincial = (item.stacking.provincial || []).map((p) => [p, today(Object.hasOwn(covers, p) ? covers[p] : [], day)]);
    }
    return {
      item, version,
      cover: today(item.cover, day),
      accepts: today(item.accepts, day),
      stackingRule, provincial,
      who: firstWho(item.who, day) || firstWho(city.default_who, day),
      conditions: today(item.conditions, day),
      limits: today(item.limits, day),
    };
  }
}

// ---- the decision -------------------------------------------------------------------------

// card: {scheme, tier, category, validFrom, validUntil, issuedOn}; person: {kind,
// minorUntil, marriageAgeUntil, ageFrom (Map age → ISO day), holderPresent (true, false
// or null: not said)}.
export function decide(index, card, code, person, day, venue) {
  const found = index.on(venue, code, day);
  if (found.parts) return byParts(index, card, code, found.parts, person, day, venue);
  const { item, version } = found;
  const answer = (granted, reason, rules, detail = "", requires = []) => (
    { granted, item: code, reason, rules: [...rules], version, requires: [...requires], detail, parts: [] });

  const refusal = cardRefusal(card, day);
  if (refusal) return answer(false, refusal, []);
  const [reached, reason, used, detail] = reach(index, found, card, day, venue);
  if (!reached) return answer(false, reason, used);
  const applied = [...used];
  const details = detail ? [detail] : [];
  const who = found.who;
  if (!who) throw new ServiceError("no_beneficiary_rule", `no beneficiary rule in force for ${code}`);
  applied.push(who.id);
  const refused = personRefusal(who, person, day);
  if (refused) return answer(false, refused, applied);
  const requires = [];
  if (who.with_holder && person.holderPresent == null && person.kind !== HOLDER) {
    requires.push(index.rules.with_holder_requires);
  }
  for (const condition of found.conditions) {
    applied.push(condition.id);
    const categories = condition.categories || [];
    if (categories.length && categories.includes(card.category)) continue;
    if (categories.length && !condition.fact && card.category !== null) {
      return answer(false, `not met: ${condition.label} (${condition.id})`, applied);
    }
    requires.push(condition.label);
  }
  for (const limit of found.limits) {
    applied.push(limit.id);
    const exceeded = limitRefusal(limit, card, person, day);
    if (exceeded) return answer(false, `${exceeded} (${limit.id})`, applied);
    if (limit.within_years != null) requires.push(limit.pending);
    if (limit.amount_cny_per_month != null) details.push(`${limit.amount_cny_per_month} CNY for this month`);
    if (limit.detail) details.push(limit.detail);
  }
  const subject = requires.length ? " subject to what it requires" : "";
  return answer(true, `${item.name_en} granted to the ${person.kind}${subject}; ${reason}`, applied, details.join("; "), requires);
}

function byParts(index, card, code, parts, person, day, venue) {
  const version = index.version(venue, day);
  const answers = parts.map((part) => decide(index, card, part, person, day, venue));
  const refused = answers.filter((a) => !a.granted).map((a) => a.item);
  const granted = answers.filter((a) => a.granted).map((a) => a.item);
  let reason;
  if (!refused.length) reason = `every part of ${code} is granted: ${granted.join(", ")}`;
  else if (!granted.length) reason = `no part of ${code} is granted: ${refused.join(", ")} refused`;
  else reason = `${code} is granted in part: ${granted.join(", ")} granted; ${refused.join(", ")} refused`;
  const used = [...new Set(answers.flatMap((a) => a.rules))];
  return { granted: !refused.length, item: code, reason, rules: used, version, requires: [], detail: "", parts: answers };
}

function cardRefusal(card, day) {
  if (day < card.validFrom) return `the card is valid from ${card.validFrom}, not yet on ${day}`;
  if (card.validUntil !== null && day > card.validUntil) return `the card expired after ${card.validUntil}`;
  return "";
}

function reach(index, found, card, day, venue) {
  const item = found.item;
  if (card.scheme === venue) {
    const granting = found.cover.filter((c) => c.tiers.includes(card.tier));
    if (!granting.length) return [false, `tier ${card.tier} does not include ${item.code}`, found.cover.map((c) => c.id), ""];
    const first = granting[0];
    return [true, `on tier ${card.tier} of the ${venue} card`, [first.id], first.detail || ""];
  }
  for (const accept of found.accepts) {
    if (accept.card_schemes.includes(card.scheme)) return [true, `${venue} accepts the ${card.scheme} card for ${item.code}`, [accept.id], ""];
  }
  const stacking = item.stacking;
  if (card.scheme !== SHANDONG || !stacking) return [false, `a ${card.scheme} card is not honoured in ${venue}`, [], ""];
  index.version(SHANDONG, day); // the province's rules decide stacking: one must be in force
  const rule = found.stackingRule;
  if (rule === null) return [false, `no stacking rule for ${venue} is in force on ${day}`, [], ""];
  if (!stacking.reached) {
    const why = stacking.withheld ? "gated by the city card's own classes" : "the city's own";
    return [false, `${item.code} is not reached by stacking: ${why}`, [rule], ""];
  }
  for (const [provincial, covers] of found.provincial) {
    const cover = covers.find((c) => c.tiers.includes(card.tier));
    if (cover) return [true, `the 惠才卡 reaches it by stacking (${provincial})`, [rule, cover.id], ""];
  }
  return [false, `the 惠才卡's tier ${card.tier} covers nothing matching ${item.code}`, [rule], ""];
}

export function classesOf(person, day) {
  if (person.kind !== CHILD) return new Set([person.kind]);
  const classes = new Set([CHILD]);
  if (person.minorUntil != null && day <= person.minorUntil) classes.add(MINOR_CHILD);
  if (person.marriageAgeUntil != null && day <= person.marriageAgeUntil) classes.add(UNDER_MARRIAGE_AGE);
  return classes;
}

function personRefusal(who, person, day) {
  const classes = classesOf(person, day);
  if (!who.allowed.some((c) => classes.has(c))) {
    return `this item is for: ${who.allowed.join(", ")}; not for this ${person.kind} (${who.id})`;
  }
  if (who.with_holder && person.kind !== HOLDER && person.holderPresent === false) {
    return `only together with the holder, never alone (同步享受; ${who.id})`;
  }
  if (classes.has(COMPANION) && (who.max_companions || 0) <= 0) {
    return `at most ${who.max_companions || 0} companion(s) with the holder (${who.id})`;
  }
  return "";
}

function limitRefusal(limit, card, person, day) {
  if (limit.years_from_issue != null) {
    const last = isoOfDays(daysOfIso(anniversary(card.issuedOn, limit.years_from_issue)) - 1);
    if (day > last) return `only for ${limit.years_from_issue} years from issue, i.e. until ${last}`;
  }
  if (limit.per_calendar_year != null && limit.per_calendar_year <= 0) return "no uses a calendar year";
  if (limit.min_age != null) {
    const reached = person.ageFrom ? person.ageFrom.get(limit.min_age) : undefined;
    if (reached === undefined) return `the ${person.kind}'s age is not on the credential (minimum ${limit.min_age})`;
    if (day < reached) return `the ${person.kind} is ${limit.min_age} only from ${reached}`;
  }
  if (limit.requires_city_care_home) return `the ${person.kind} must live in a care home in the city: decided by the office`;
  if (limit.max_months != null && limit.max_months <= 0) return "no months";
  return "";
}
