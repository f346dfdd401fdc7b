// The venue page's verifier (api/venue/verify.js) in Node, without a browser: on the shared
// vectors' bundle, and on bundles of the signing tests' own world for cases the registry
// does not make. Reads JSON on
// stdin, {bundle: base64 of a packed bundle, checks: [{token, at, venue}]}, and prints for
// each check what verify() answers and, for a card that verifies, what grants() gives every
// person for every item of the venue's catalogue (the card's own city without a venue).
// tests/venue/test_verify_js.py holds the answers to signing.verify's.
import { readFileSync } from "node:fs";
import { grants, readBundle, verify } from "../../api/venue/verify.js";

const { bundle: packed, checks } = JSON.parse(readFileSync(0, "utf-8"));
const bundle = await readBundle(new Uint8Array(Buffer.from(packed, "base64")));
const out = [];
for (const { token, at, venue } of checks) {
  const result = await verify(token, bundle, { now: at });
  const seen = { valid: result.valid, reason: result.reason, detail: result.detail, superseded: result.superseded };
  if (result.valid) {
    const answers = grants(bundle, result.claims, venue || result.claims.scheme, { now: at, superseded: result.superseded });
    seen.grants = answers.map(({ item, person, granted, rules, requires, reason, code }) => ({ item, person, granted, rules, requires, reason, code }));
  }
  out.push(seen);
}
process.stdout.write(JSON.stringify({ problems: bundle.problems, checks: out }));
