"""Every check of the policy loader, one targeted edit of the real package data at a time.

A malformed file must fail at load with ``PolicyDataError`` naming the file, the key path
(what an administrator is told to fix) and the reason; the boundary each check draws must
still load. The edits are made to the texts, never to files on disk.
"""

from __future__ import annotations

import locale
import subprocess
import sys
from datetime import date

import pytest

from domain.policy import PolicyDataError, default_policy, parse_policy
from domain.policy.loader import DATA_DIR, load_policy, package_texts
from domain.vocabulary import Scheme

TEXTS = package_texts()

JINAN_OPEN = (
    'source = "jinan-2018-precision-service-rules art. 29 (自发布之日起施行), dated 2018-09-19"\n'
)
# jinan-2018 ends the day before the rectified version (RD-2026-73) starts.
JINAN_CLOSE = "effective_until = 2026-12-06\n"
JINAN_VERSION = JINAN_OPEN + JINAN_CLOSE
JINAN_RECTIFIED = TEXTS["jinan.toml"][
    TEXTS["jinan.toml"].index('[[versions]]\nid = "jinan-2026-rectified"') :
].split("\n\n")[0]
JINAN_DEFAULT_BENEFICIARY = (
    '[[beneficiaries]]\nid = "jinan.beneficiary.holder"\n'
    'source = "jinan-2018-precision-service-rules arts. 3, 20 (凭卡享受; 持卡、本人有效身份证件)"\n'
    'version = "jinan-2018"\neffective_from = 2018-09-19\ndefault = true\nallowed = ["holder"]\n'
)
JINAN_STEPS = (
    'steps = [\n    { action = "propose", roles = ["employer"] },\n'
    '    { action = "approve", roles = ["county_window", "city_window"], decides = false, note = '
    '"receives and forwards (向同级服务窗口提出意见，报……)" },\n'
    '    { action = "approve", roles = ["city_hrss"] },\n'
    '    { action = "approve", roles = ["talent_office"] },\n]'
)


def later_version(
    start: str,
    *,
    id: str = "jinan-2030",
    continues: str | None = "jinan-2018",
    until: str | None = None,
) -> str:
    """A second Jinan version starting on ``start``, to append after the first."""
    follows = "" if continues is None else f'continues = "{continues}"\n'
    ends = "" if until is None else f"effective_until = {until}\n"
    return (
        f'\n[[versions]]\nid = "{id}"\neffective_from = {start}\n{follows}{ends}'
        'source = "a successor notice"\n'
    )


def edit(name: str, *pairs: tuple[str, str]) -> dict[str, str]:
    """The package texts with exact edits to one file, each ``old`` occurring once."""
    text = TEXTS[name]
    for old, new in pairs:
        assert text.count(old) == 1, f"{old!r} must occur once in {name}"
        text = text.replace(old, new)
    return {**TEXTS, name: text}


def workdays(text: str) -> dict[str, str]:
    """The package texts with ``workdays.toml`` replaced by an administrator's calendar."""
    return {**TEXTS, "workdays.toml": text}


# (case, texts, file, key, a stable part of the reason)
MALFORMED = [
    # ---- decoding ----
    (
        "a file the texts do not hold",
        {k: v for k, v in TEXTS.items() if k != "workdays.toml"},
        "workdays.toml",
        "(file)",
        "missing",
    ),
    (
        "stacking file that is not TOML",
        {**TEXTS, "stacking.toml": TEXTS["stacking.toml"] + "\n[[matches]\n"},
        "stacking.toml",
        "(syntax)",
        "",
    ),
    (
        "workday note of the wrong type",
        edit("workdays.toml", ('note = "No year after 2026 has been published yet."', "note = 1")),
        "workdays.toml",
        "note",
        "Expected `str`, got `int`",
    ),
    (
        "scheme file with an unknown top-level field",
        edit("jinan.toml", ('issuer = "Jinan talent service bureau', 'issued_by = "Jinan')),
        "jinan.toml",
        "(top level)",
        "unknown field `issued_by`",
    ),
    # ---- scheme and versions ----
    (
        "scheme file for another scheme",
        edit("jinan.toml", ('scheme = "jinan"', 'scheme = "weihai"')),
        "jinan.toml",
        "scheme",
        "but the file is for 'jinan'",
    ),
    (
        "no policy version",
        edit(
            "jinan.toml",
            ('scheme = "jinan"\n', 'scheme = "jinan"\nversions = []\n'),
            (
                '[[versions]]\nid = "jinan-2018"\neffective_from = 2018-09-19\n'
                + JINAN_VERSION
                + "\n"
                + JINAN_RECTIFIED,
                "",
            ),
        ),
        "jinan.toml",
        "versions",
        "at least one policy version",
    ),
    (
        "two versions with one id",
        edit(
            "jinan.toml",
            (JINAN_VERSION, JINAN_VERSION + later_version("2030-01-01", id="jinan-2018")),
        ),
        "jinan.toml",
        "versions[1].id",
        "duplicate version id 'jinan-2018'",
    ),
    (
        "version that ends the day before it starts",
        edit("jinan.toml", (JINAN_VERSION, JINAN_OPEN + "effective_until = 2018-09-18\n")),
        "jinan.toml",
        "versions[0].effective_until",
        "ends before it starts",
    ),
    (
        "later version after an open-ended one",
        edit("jinan.toml", (JINAN_VERSION, JINAN_OPEN + later_version("2030-01-01"))),
        "jinan.toml",
        "versions[1].effective_from",
        "overlaps the previous version",
    ),
    (
        "later version starting on the last day of the one before",
        edit(
            "jinan.toml",
            (
                JINAN_VERSION,
                JINAN_OPEN + "effective_until = 2029-12-31\n" + later_version("2029-12-31"),
            ),
        ),
        "jinan.toml",
        "versions[1].effective_from",
        "overlaps the previous version",
    ),
    (
        "later version continuing a version that does not exist",
        edit(
            "jinan.toml",
            (
                JINAN_VERSION,
                JINAN_OPEN
                + "effective_until = 2029-12-31\n"
                + later_version("2030-01-01", continues="jinan-2017"),
            ),
        ),
        "jinan.toml",
        "versions[1].continues",
        "'jinan-2017'",
    ),
    (
        "version continuing itself",
        edit("jinan.toml", (JINAN_VERSION, JINAN_VERSION + 'continues = "jinan-2018"\n')),
        "jinan.toml",
        "versions[0].continues",
        "must name an earlier version",
    ),
    (
        "version citing a blank source",
        edit("jinan.toml", (JINAN_VERSION, 'source = "  "\n' + JINAN_CLOSE)),
        "jinan.toml",
        "versions[0].source",
        "must cite its source",
    ),
    # ---- rules ----
    (
        "tier rule citing a blank source",
        edit(
            "jinan.toml",
            (
                'source = "jinan-2018-precision-service-rules art. 3 '
                '(《济南市高层次人才分类目录》A、B、C、D类)"',
                'source = " "',
            ),
        ),
        "jinan.toml",
        "tiers.source",
        "rule jinan.tiers must cite its source",
    ),
    (
        "term combination rule citing an empty source",
        edit(
            "weihai.toml",
            (
                'source = "weihai-2019-green-channel-opinion part 2(3) (入选多个人才工程的，'
                "按就高不重复原则确定); reading: administrator decision "
                'weihai.decision.longest_across_bases"',
                'source = ""',
            ),
        ),
        "weihai.toml",
        "term_combination.source",
        "rule weihai.term.highest_not_cumulative must cite its source",
    ),
    (
        "category rule citing a blank source",
        edit(
            "jinan.toml",
            (
                'id = "jinan.category.C"\n'
                'source = "jinan-2018-precision-service-rules arts. 3, 24(1)"',
                'id = "jinan.category.C"\nsource = "\\t"',
            ),
        ),
        "jinan.toml",
        "categories[2].source",
        "rule jinan.category.C must cite its source",
    ),
    (
        "rule of a version the file does not define",
        edit(
            "jinan.toml",
            (
                'version = "jinan-2018"\neffective_from = 2018-09-19\nrestart_years',
                'version = "jinan-2019"\neffective_from = 2018-09-19\nrestart_years',
            ),
        ),
        "jinan.toml",
        "upgrades[0].version",
        "unknown version 'jinan-2019'",
    ),
    (
        "rule starting the day before its version",
        edit(
            "jinan.toml",
            (
                "effective_from = 2018-09-19\nrestart_years",
                "effective_from = 2018-09-18\nrestart_years",
            ),
        ),
        "jinan.toml",
        "upgrades[0].effective_from",
        "starts before its version",
    ),
    (
        "rule starting before its own later version",
        edit(
            "weihai.toml",
            (
                'effective_from = 2023-02-20\ncategory = "enterprise_talent"\nper',
                'effective_from = 2023-02-19\ncategory = "enterprise_talent"\nper',
            ),
        ),
        "weihai.toml",
        "quotas[1].effective_from",
        "starts before its version",
    ),
    (
        "rule ending the day before it starts",
        edit(
            "jinan.toml",
            ("restart_years = 5\n", "restart_years = 5\neffective_until = 2018-09-18\n"),
        ),
        "jinan.toml",
        "upgrades[0].effective_until",
        "ends before it starts",
    ),
    # ---- the catalogue ----
    (
        "two items with one code",
        edit("jinan.toml", ('code = "jinan.5"\nnumber = 5', 'code = "jinan.4"\nnumber = 5')),
        "jinan.toml",
        "items[1].code",
        "duplicate item code 'jinan.4'",
    ),
    (
        "two parts with one code",
        edit("jinan.toml", ('code = "jinan.6.purchase"', 'code = "jinan.6.case_by_case"')),
        "jinan.toml",
        "items[2].parts[1].code",
        "duplicate item code 'jinan.6.case_by_case'",
    ),
    (
        "item code that is not the scheme and its number",
        edit("jinan.toml", ('code = "jinan.5"\nnumber = 5', 'code = "jinan.05"\nnumber = 5')),
        "jinan.toml",
        "items[1].code",
        "must be 'jinan.5'",
    ),
    (
        "item code of another scheme",
        edit("jinan.toml", ('code = "jinan.5"\nnumber = 5', 'code = "weihai.5"\nnumber = 5')),
        "jinan.toml",
        "items[1].code",
        "must be 'jinan.5'",
    ),
    (
        "part code under another item",
        edit("jinan.toml", ('code = "jinan.6.purchase"', 'code = "jinan.60.purchase"')),
        "jinan.toml",
        "items[2].parts[1].code",
        "must start with 'jinan.6.'",
    ),
    (
        "part code without the dot after its item",
        edit("jinan.toml", ('code = "jinan.6.purchase"', 'code = "jinan.6purchase"')),
        "jinan.toml",
        "items[2].parts[1].code",
        "must start with 'jinan.6.'",
    ),
    (
        "beneficiary rule naming an unknown part",
        edit(
            "jinan.toml",
            ('items = ["jinan.19.travel"]\nallowed', 'items = ["jinan.19.train"]\nallowed'),
        ),
        "jinan.toml",
        "beneficiaries[0].items[0]",
        "unknown item code 'jinan.19.train'",
    ),
    (
        "usage limit naming an unknown item",
        edit(
            "weihai.toml",
            (
                'items = ["weihai.20"]\nper_calendar_year',
                'items = ["weihai.31"]\nper_calendar_year',
            ),
        ),
        "weihai.toml",
        "limits[0].items[0]",
        "unknown item code 'weihai.31'",
    ),
    (
        "acceptance rule naming an unknown item",
        edit(
            "liaocheng.toml",
            ('"liaocheng.23", "liaocheng.27.bank"]', '"liaocheng.23", "liaocheng.36"]'),
        ),
        "liaocheng.toml",
        "accepts[0].items[4]",
        "unknown item code 'liaocheng.36'",
    ),
    (
        "coverage rule naming an unknown tier",
        edit(
            "jinan.toml",
            (
                'tiers = ["A", "B"]\nitems = ["jinan.12"]',
                'tiers = ["A", "E"]\nitems = ["jinan.12"]',
            ),
        ),
        "jinan.toml",
        "coverage[5].tiers[1]",
        "unknown tier 'E'",
    ),
    (
        "category of an unknown tier",
        edit("jinan.toml", ('tier = "D"', 'tier = "E"')),
        "jinan.toml",
        "categories[3].tier",
        "unknown tier 'E'",
    ),
    (
        "review path for an unknown category",
        edit(
            "weihai.toml",
            ('categories = ["3", "4"]\nstages', 'categories = ["3", "5"]\nstages'),
        ),
        "weihai.toml",
        "paths[1].categories[1]",
        "unknown category '5'",
    ),
    (
        "term rule for an unknown category",
        edit(
            "weihai.toml",
            (
                'categories = ["business_elite", "enterprise_talent"]\nyears = 1',
                'categories = ["business_elite", "enterprise"]\nyears = 1',
            ),
        ),
        "weihai.toml",
        "terms[4].categories[1]",
        "unknown category 'enterprise'",
    ),
    (
        "extension rule for an unknown category",
        edit(
            "weihai.toml",
            (
                'categories = ["business_elite"]\nyears = 5',
                'categories = ["business"]\nyears = 5',
            ),
        ),
        "weihai.toml",
        "extensions[0].categories[0]",
        "unknown category 'business'",
    ),
    (
        "quota for an unknown category",
        edit("weihai.toml", ('category = "business_elite"\nper', 'category = "elite"\nper')),
        "weihai.toml",
        "quotas[0].category",
        "unknown category 'elite'",
    ),
    (
        "recognition for an unknown category",
        edit("weihai.toml", ('category = "enterprise_talent"\nfact', 'category = "talent"\nfact')),
        "weihai.toml",
        "recognitions[0].category",
        "unknown category 'talent'",
    ),
    # ---- beneficiaries ----
    (
        "beneficiary rule that lists items and is the default",
        edit("jinan.toml", ("max_companions = 1\n", "max_companions = 1\ndefault = true\n")),
        "jinan.toml",
        "beneficiaries[0]",
        "not both",
    ),
    (
        "beneficiary rule that lists no items and is not the default",
        edit("jinan.toml", ('default = true\nallowed = ["holder"]', 'allowed = ["holder"]')),
        "jinan.toml",
        "beneficiaries[5]",
        "not both",
    ),
    (
        "marriage ages on a rule naming no child under the marriage age",
        edit(
            "liaocheng.toml",
            (
                'allowed = ["holder", "spouse", "child_under_marriage_age"]\nmarriage_age',
                'allowed = ["holder", "spouse"]\nmarriage_age',
            ),
        ),
        "liaocheng.toml",
        "beneficiaries[7].marriage_age",
        "only for a rule naming child_under_marriage_age",
    ),
    (
        "a marriage age of zero",
        edit("liaocheng.toml", ("daughter = 20 }", "daughter = 0 }")),
        "liaocheng.toml",
        "beneficiaries[7].marriage_age",
        "positive years",
    ),
    (
        "no default beneficiary rule",
        edit("jinan.toml", (JINAN_DEFAULT_BENEFICIARY, "")),
        "jinan.toml",
        "beneficiaries",
        "exactly one default",
    ),
    (
        "two default beneficiary rules",
        edit(
            "jinan.toml",
            (
                JINAN_DEFAULT_BENEFICIARY,
                JINAN_DEFAULT_BENEFICIARY
                + JINAN_DEFAULT_BENEFICIARY.replace(
                    "jinan.beneficiary.holder", "jinan.beneficiary.all"
                ),
            ),
        ),
        "jinan.toml",
        "beneficiaries",
        "exactly one default",
    ),
    # ---- revocation procedures ----
    (
        "revocation without steps",
        edit("jinan.toml", (JINAN_STEPS, "steps = []")),
        "jinan.toml",
        "revocation[0].steps",
        "first step must be a proposal",
    ),
    (
        "revocation that starts with an approval",
        edit(
            "jinan.toml",
            (
                '{ action = "propose", roles = ["employer"] }',
                '{ action = "approve", roles = ["employer"] }',
            ),
        ),
        "jinan.toml",
        "revocation[0].steps",
        "first step must be a proposal",
    ),
    (
        "revocation proposed and never approved",
        edit(
            "liaocheng.toml",
            (
                '    { action = "approve", roles = ["county_window", "city_window"], '
                'decides = false, note = "receives and forwards '
                '(向同级服务窗口提出意见，报……)" },\n'
                '    { action = "approve", roles = ["city_hrss"] },\n',
                "",
            ),
        ),
        "liaocheng.toml",
        "revocation[0].steps",
        "at least one approval",
    ),
    (
        "revocation step that names no role",
        edit(
            "jinan.toml",
            (JINAN_STEPS, JINAN_STEPS.replace('roles = ["talent_office"]', "roles = []")),
        ),
        "jinan.toml",
        "revocation[0].steps[3].roles",
        "must name the roles",
    ),
    (
        "revocation proposal that names no role",
        edit(
            "jinan.toml",
            (JINAN_STEPS, JINAN_STEPS.replace('roles = ["employer"]', "roles = []")),
        ),
        "jinan.toml",
        "revocation[0].steps[0].roles",
        "must name the roles",
    ),
    (
        "revocation step after the first that proposes again",
        edit(
            "jinan.toml",
            (
                JINAN_STEPS,
                JINAN_STEPS.replace(
                    'action = "approve", roles = ["talent_office"]',
                    'action = "propose", roles = ["talent_office"]',
                ),
            ),
        ),
        "jinan.toml",
        "revocation[0].steps[3].action",
        "only the first step proposes",
    ),
    # ---- terms ----
    (
        "default term with years and open-ended",
        edit(
            "jinan.toml",
            ('basis = "default"\nyears = 5', 'basis = "default"\nyears = 5\nopen_ended = true'),
        ),
        "jinan.toml",
        "terms[0]",
        "needs either years or open_ended",
    ),
    (
        "default term with neither years nor open-ended",
        edit("jinan.toml", ('basis = "default"\nyears = 5', 'basis = "default"')),
        "jinan.toml",
        "terms[0]",
        "needs either years or open_ended",
    ),
    (
        "fixed term with neither years nor open-ended",
        edit("weihai.toml", ('"enterprise_talent"]\nyears = 1\n', '"enterprise_talent"]\n')),
        "weihai.toml",
        "terms[4]",
        "needs either years or open_ended",
    ),
    # ---- rule ids across files ----
    (
        "two rules of one file with one id",
        edit("jinan.toml", ('id = "jinan.category.B"', 'id = "jinan.category.A"')),
        "jinan.toml",
        "categories[1].id",
        "also in jinan.toml",
    ),
    (
        "rule id already used by an earlier scheme file",
        edit("jinan.toml", ('id = "jinan.amendment"', 'id = "weihai.amendment"')),
        "jinan.toml",
        "amendments[0].id",
        "also in weihai.toml",
    ),
    # ---- stacking reach (annex A.30, recorded per city) ----
    (
        "stacking reach withholding an item the city does not have",
        edit("stacking.toml", ('withheld = ["jinan.8",', 'withheld = ["jinan.80",')),
        "stacking.toml",
        "reach[2].withheld[0]",
        "unknown jinan item 'jinan.80'",
    ),
    (
        "a matched city item neither reached nor withheld",
        edit("stacking.toml", ('withheld = ["jinan.8", ', "withheld = [")),
        "stacking.toml",
        "reach[2]",
        "jinan.8 is matched but neither reached nor withheld",
    ),
    (
        "a city item both reached and withheld",
        edit("stacking.toml", ('withheld = ["jinan.8",', 'withheld = ["jinan.4", "jinan.8",')),
        "stacking.toml",
        "reach[2]",
        "jinan.4 is both reached and withheld",
    ),
    (
        "a recorded reach for an item no provincial item matches",
        edit(
            "stacking.toml",
            ('withheld = ["jinan.8",', 'withheld = ["jinan.6.case_by_case", "jinan.8",'),
        ),
        "stacking.toml",
        "reach[2]",
        "jinan.6.case_by_case is recorded but matches no provincial item",
    ),
    (
        "two reach entries for one city",
        {
            **TEXTS,
            "stacking.toml": TEXTS["stacking.toml"]
            + '\n[[reach]]\ncity = "jinan"\nsource = "x"\nreached = []\n',
        },
        "stacking.toml",
        "reach[3].city",
        "one entry per city",
    ),
    (
        "filer rule for an unknown category",
        edit(
            "weihai.toml",
            ('categories = ["3", "4"]\nroles', 'categories = ["3", "7"]\nroles'),
        ),
        "weihai.toml",
        "filers[1].categories[1]",
        "unknown category '7'",
    ),
    (
        "filer rule naming a role the registry does not know",
        edit("jinan.toml", ('roles = ["applicant"]\nsponsors', 'roles = ["mayor"]\nsponsors')),
        "jinan.toml",
        "filers[0].roles[0]",
        "Invalid enum value 'mayor'",
    ),
    # ---- sources and decisions ----
    (
        "a rule citing the brief instead of a seed",
        edit(
            "jinan.toml",
            (
                'source = "jinan-2018-precision-service-rules art. 24(2) '
                '(服务金卡有效期一般为5年)"',
                'source = "POLICY.md (Jinan 5 years)"',
            ),
        ),
        "jinan.toml",
        "terms[0].source",
        "must cite a seed document or name an administrator's decision",
    ),
    (
        "a rule resting on a decision nobody recorded",
        edit(
            "shandong.toml",
            (
                'decision = "shandong.decision.revocation"\nversion',
                'decision = "shandong.decision.x"\nversion',
            ),
        ),
        "shandong.toml",
        "revocation[0].decision",
        "names unknown decision 'shandong.decision.x'",
    ),
    (
        "a stacking reach resting on a decision nobody recorded",
        edit(
            "stacking.toml",
            ('decision = "shandong.decision.stacking_reach"', 'decision = "shandong.decision.x"'),
        ),
        "stacking.toml",
        "reach[0].decision",
        "names unknown decision 'shandong.decision.x'",
    ),
    # ---- item conditions ----
    (
        "an item condition naming an unknown category",
        edit(
            "liaocheng.toml",
            ('categories = ["art5.2"]\nfact = "art10', 'categories = ["art5.9"]\nfact = "art10'),
        ),
        "liaocheng.toml",
        "conditions[2].categories[0]",
        "unknown category 'art5.9'",
    ),
    (
        "an item condition naming an unknown item",
        edit("jinan.toml", ('items = ["jinan.20"]\nlabel', 'items = ["jinan.20.zoo"]\nlabel')),
        "jinan.toml",
        "conditions[9].items[0]",
        "unknown item code 'jinan.20.zoo'",
    ),
    # ---- stacking ----
    (
        "stacking match for an unknown provincial item",
        edit("stacking.toml", ('provincial = "shandong.3"', 'provincial = "shandong.31"')),
        "stacking.toml",
        "matches[2].provincial",
        "unknown item 'shandong.31'",
    ),
    (
        "stacking match listing a provincial item as a city item",
        edit("stacking.toml", ('"liaocheng.7", "jinan.5"]', '"liaocheng.7", "shandong.5"]')),
        "stacking.toml",
        "matches[2].city[2]",
        "unknown city item 'shandong.5'",
    ),
    (
        "stacking match naming a city the registry does not know",
        edit("stacking.toml", ('"liaocheng.7", "jinan.5"]', '"liaocheng.7", "qingdao.5"]')),
        "stacking.toml",
        "matches[2].city[2]",
        "unknown city item 'qingdao.5'",
    ),
    (
        "stacking match naming a city but no item",
        edit("stacking.toml", ('"liaocheng.7", "jinan.5"]', '"liaocheng.7", "jinan"]')),
        "stacking.toml",
        "matches[2].city[2]",
        "unknown city item 'jinan'",
    ),
    (
        "class-gated item reached against the one reading (Jinan art. 8 is A-C only)",
        edit(
            "stacking.toml",
            (
                '  "jinan.20.parks", "jinan.20.fitness", "jinan.21",\n]',
                '  "jinan.20.parks", "jinan.20.fitness", "jinan.21", "jinan.8",\n]',
            ),
            ('withheld = ["jinan.8", ', "withheld = ["),
        ),
        "stacking.toml",
        "reach[2]",
        "jinan.8 must be withheld under the class_gates reading",
    ),
    (
        "a city's own item that matches a provincial item",
        edit("stacking.toml", ('own = ["liaocheng.21.films", ', 'own = ["liaocheng.6", ')),
        "stacking.toml",
        "reach[1].own[0]",
        "liaocheng.6 matches a provincial item",
    ),
    # ---- workdays ----
    (
        "calendar year given twice",
        workdays(
            '[[years]]\nyear = 2027\nsource = "notice"\nholidays = [2027-01-01]\n'
            '[[years]]\nyear = 2027\nsource = "notice"\nholidays = [2027-01-02]\n'
        ),
        "workdays.toml",
        "years[1].year",
        "duplicate year",
    ),
    (
        "adjusted working day outside its year",
        workdays(
            '[[years]]\nyear = 2027\nsource = "notice"\nholidays = [2027-01-01]\n'
            "adjusted_workdays = [2027-02-07, 2026-02-14]\n"
        ),
        "workdays.toml",
        "years[0].adjusted_workdays[1]",
        "2026-02-14 is not in 2027",
    ),
    (
        "days both holidays and adjusted working days",
        workdays(
            '[[years]]\nyear = 2027\nsource = "notice"\nholidays = [2027-01-01]\n'
            '[[years]]\nyear = 2028\nsource = "notice"\n'
            "holidays = [2028-10-01, 2028-10-02, 2028-10-03]\n"
            "adjusted_workdays = [2028-10-03, 2028-10-02]\n"
        ),
        "workdays.toml",
        "years[1]",
        "2028-10-02 is both a holiday and an adjusted working day",
    ),
]


@pytest.mark.parametrize(
    ("texts", "file", "key", "reason"),
    [pytest.param(*case[1:], id=case[0]) for case in MALFORMED],
)
def test_malformed_policy_data_is_refused_naming_the_file_the_key_and_the_reason(
    texts: dict[str, str], file: str, key: str, reason: str
) -> None:
    with pytest.raises(PolicyDataError) as caught:
        parse_policy(texts)
    error = caught.value
    assert (error.file, error.key) == (file, key)
    assert reason in error.reason
    assert " - at `$" not in error.reason  # the path is the key, not part of the reason
    assert str(error) == f"{file}: {key}: {error.reason}"


# (case, texts) of data exactly on a boundary a check draws: each must still load
ACCEPTED = [
    (
        "version of a single day",
        edit("jinan.toml", (JINAN_VERSION, JINAN_OPEN + "effective_until = 2018-09-19\n")),
    ),
    (
        "later version starting the day after the one before ends",
        edit(
            "jinan.toml",
            (
                JINAN_VERSION,
                JINAN_OPEN
                + "effective_until = 2020-12-31\n"
                + later_version("2021-01-01", until="2026-12-06"),
            ),
        ),
    ),
    (
        "later version that continues none",
        edit(
            "jinan.toml",
            (
                JINAN_VERSION,
                JINAN_OPEN
                + "effective_until = 2020-12-31\n"
                + later_version("2021-01-01", continues=None, until="2026-12-06"),
            ),
        ),
    ),
    (
        "rule of a single day",
        edit(
            "jinan.toml",
            ("restart_years = 5\n", "restart_years = 5\neffective_until = 2018-09-19\n"),
        ),
    ),
    (
        "default term that is open-ended instead of years",
        edit(
            "jinan.toml", ('basis = "default"\nyears = 5', 'basis = "default"\nopen_ended = true')
        ),
    ),
    (
        "contract term with neither years nor open-ended",
        edit(
            "weihai.toml",
            (
                'basis = "contract"\ncategories = ["1", "2", "3", "4"]\nmax_years = 5',
                'basis = "contract"\ncategories = ["1", "2", "3", "4"]',
            ),
        ),
    ),
    (
        "revocation of one proposal and one approval",
        edit(
            "jinan.toml",
            (
                JINAN_STEPS,
                JINAN_STEPS.replace('    { action = "approve", roles = ["talent_office"] },\n', ""),
            ),
        ),
    ),
    (
        "calendar of two years with adjusted working days",
        workdays(
            '[[years]]\nyear = 2027\nsource = "notice"\nholidays = [2027-01-01]\n'
            "adjusted_workdays = [2027-02-07]\n"
            '[[years]]\nyear = 2028\nsource = "notice"\nholidays = [2028-01-01]\n'
        ),
    ),
]


@pytest.mark.parametrize("texts", [pytest.param(t, id=case) for case, t in ACCEPTED])
def test_data_on_the_boundary_of_a_check_still_loads(texts: dict[str, str]) -> None:
    parse_policy(texts)


def test_the_parsed_policy_holds_every_file_as_given() -> None:
    calendar = (
        '[[years]]\nyear = 2027\nsource = "notice"\nholidays = [2027-01-01]\n'
        "adjusted_workdays = [2027-02-07]\n"
    )
    policy = parse_policy(workdays(calendar))
    assert {s: policy.scheme(s).scheme for s in Scheme} == {s: s for s in Scheme}
    assert policy.stacking == default_policy().stacking
    assert policy.stacking.matches[2].city == ("weihai.2", "liaocheng.7", "jinan.5")
    assert [(y.year, y.holidays, y.adjusted_workdays) for y in policy.workdays.years] == [
        (2027, (date(2027, 1, 1),), (date(2027, 2, 7),))
    ]


def test_the_policy_loads_from_a_folder_given_by_name() -> None:
    assert load_policy(str(DATA_DIR)) == default_policy()


def test_a_folder_without_the_policy_files_fails_naming_the_first_missing_file() -> None:
    with pytest.raises(PolicyDataError) as caught:
        load_policy(str(DATA_DIR.parent))
    error = caught.value
    assert (error.file, error.key) == ("shandong.toml", "(file)")
    assert str(DATA_DIR.parent) in error.reason


def test_the_package_texts_are_read_from_the_folder_given() -> None:
    with pytest.raises(PolicyDataError) as caught:
        package_texts(DATA_DIR.parent)
    assert (caught.value.file, caught.value.key) == ("shandong.toml", "(file)")
    assert package_texts(DATA_DIR) == TEXTS


# Run in a fresh process: the copy this one shares was loaded long before the test.
FIRST_CALL = """
from domain.policy import default_policy, load_policy
first = default_policy()
assert first == load_policy()
assert default_policy() is first
"""


def test_the_first_call_loads_the_package_data_and_later_calls_share_that_copy() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_CALL], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_policy_files_are_read_as_utf8_whatever_the_locale() -> None:
    # A server under a GB18030 or ASCII locale must still read the Chinese names right.
    previous = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")  # ASCII: the locale's encoding cannot decode them
    try:
        texts = package_texts()
    finally:
        locale.setlocale(locale.LC_CTYPE, previous)
    assert texts == TEXTS


# ---- corrected readings (Rule.replaces, issue 27) ----------------------------------------

C_RULE = 'id = "jinan.category.C"\n'


def corrected_c(replaces: str, *, old_ends: str | None = "2026-12-06") -> dict[str, str]:
    """Jinan with a class C rule corrected from 2026-12-07 (a new rule replacing it)."""
    text = TEXTS["jinan.toml"]
    start = text.index(C_RULE)
    block = text[start : text.index("\n\n", start)]
    old = block.replace(
        "effective_from = 2018-09-19\n",
        f"effective_from = 2018-09-19\neffective_until = {old_ends}\n"
        if old_ends
        else "effective_from = 2018-09-19\n",
        1,
    )
    new = (
        block.replace(C_RULE, 'id = "jinan.category.C.corrected"\n')
        .replace('version = "jinan-2018"', 'version = "jinan-2026-rectified"')
        .replace("effective_from = 2018-09-19", "effective_from = 2026-12-07")
        + f"\nreplaces = [{replaces}]"
    )
    return {**TEXTS, "jinan.toml": text.replace(block, old + "\n\n[[categories]]\n" + new)}


@pytest.mark.parametrize(
    ("replaces", "old_ends", "reason"),
    [
        ('"jinan.category.X"', "2026-12-06", "replaces 'jinan.category.X', no categories rule"),
        ('"jinan.tiers"', "2026-12-06", "replaces 'jinan.tiers', no categories rule"),
        (
            '"jinan.category.C"',
            None,
            "replaces jinan.category.C, which must end on 2026-12-06, the day before it starts",
        ),
        (
            '"jinan.category.C"',
            "2026-11-30",
            "replaces jinan.category.C, which must end on 2026-12-06, the day before it starts",
        ),
    ],
    ids=[
        "an unknown rule",
        "a rule of another kind",
        "a rule still in force that day",
        "a rule ending days before: a gap",
    ],
)
def test_a_corrected_rule_must_replace_an_earlier_rule_of_its_kind_ending_the_day_before(
    replaces: str, old_ends: str | None, reason: str
) -> None:
    with pytest.raises(PolicyDataError) as caught:
        parse_policy(corrected_c(replaces, old_ends=old_ends))
    error = caught.value
    assert error.file == "jinan.toml"
    assert error.key.startswith("categories[") and error.key.endswith("].replaces")
    assert error.reason == f"jinan.category.C.corrected {reason}"


def test_a_corrected_rule_replacing_one_that_ends_the_day_before_loads() -> None:
    policy = parse_policy(corrected_c('"jinan.category.C"'))
    ids = [c.id for c in policy.scheme(Scheme.JINAN).categories]
    assert "jinan.category.C" in ids and "jinan.category.C.corrected" in ids
