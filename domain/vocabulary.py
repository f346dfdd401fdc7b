"""The registry's vocabulary: the closed sets of names the policy documents use.

Each member names the Chinese term once; sources are the seed files in ``shared/seeds``.
"""

from __future__ import annotations

import enum


class Scheme(enum.StrEnum):
    """A card scheme (人才服务卡种类), see POLICY.md "The card schemes"."""

    SHANDONG = "shandong"  # 山东惠才卡, shandong-provincial-service-standard
    WEIHAI = "weihai"  # 威海英才卡, weihai-2019-green-channel-opinion, weihai-2023-card-...
    LIAOCHENG = "liaocheng"  # 聊城市人才服务金卡, liaocheng-2022-green-channel-rules
    JINAN = "jinan"  # 泉城人才服务金卡, jinan-2018-precision-service-rules


class Route(enum.StrEnum):
    """How a card is granted (颁发方式)."""

    DIRECT = "direct"  # 直接颁发: on an existing credential or programme selection
    REVIEWED = "reviewed"  # 审核颁发: employer files, authorities review in stages
    EVALUATED = "evaluated"  # 评审颁发: an expert panel evaluates (Shandong only)


class ReviewStage(enum.StrEnum):
    """A review stage an application passes through before issuance."""

    COUNTY_WINDOW = "county_window"  # 县（市、区）高层次人才服务窗口 (Shandong 5.3, 7.1)
    CITY_WINDOW = "city_window"  # 同级高层次人才服务窗口 (Shandong: same-level window)
    DISTRICT = "district"  # 区市人社部门或主管部门 (district HRSS / competent department)
    TALENT_INSTITUTE = "talent_institute"  # 威海市人才创新发展院 (Weihai 2023)
    CITY_HRSS = "city_hrss"  # 市人力资源和社会保障局
    TALENT_OFFICE = "talent_office"  # 人才工作领导小组办公室
    EXPERT_PANEL = "expert_panel"  # 专家评审
    PROVINCIAL_WINDOW = "provincial_window"  # 省高层次人才服务窗口


class ReviewDecision(enum.StrEnum):
    """What a reviewer decided at a stage."""

    APPROVED = "approved"  # 审核通过 / 同意
    REJECTED = "rejected"  # 不予通过: ends the application
    RETURNED = "returned"  # 退回补正: evidence requested, the stage stays open


class Role(enum.StrEnum):
    """Who acts on the registry. Reviewer roles share their names with review stages."""

    APPLICANT = "applicant"  # 人才本人
    EMPLOYER = "employer"  # 用人单位 (its 单位专员, service commissioner)
    INVESTMENT_DEPARTMENT = "investment_department"  # 招商部门
    ENTERPRISE = "enterprise"  # 目标企业 (Weihai 2023 enterprise_talent)
    COUNTY_WINDOW = "county_window"
    CITY_WINDOW = "city_window"
    DISTRICT = "district"
    TALENT_INSTITUTE = "talent_institute"
    CITY_HRSS = "city_hrss"
    TALENT_OFFICE = "talent_office"
    EXPERT_PANEL = "expert_panel"
    PROVINCIAL_WINDOW = "provincial_window"
    PROGRAMME_AUTHORITY = "programme_authority"  # 人才工程主管部门 (proposes revocations)
    ADMINISTRATOR = "administrator"  # runs the registry; no policy powers of its own
    AUDITOR = "auditor"  # reads everything, changes nothing
    # Who records the use of a service item (issue 11, "Recorded use"): the venue where it
    # is used (场所: cinema, gym, scenic spot, airport, ferry, rail station) and the office
    # that pays a subsidy (经办机构: e.g. the care-home subsidy, Liaocheng art. 22).
    VENUE = "venue"  # 服务场所
    PAYING_OFFICE = "paying_office"  # 经办机构 (发放补贴的部门)


class Relation(enum.StrEnum):
    """A family member's relation to the holder (家属), for family benefits."""

    SPOUSE = "spouse"  # 配偶
    CHILD = "child"  # 子女 (benefits for minors are decided by date of birth)
    PARENT = "parent"  # 父母
    SPOUSE_PARENT = "spouse_parent"  # 配偶父母


class SponsorKind(enum.StrEnum):
    """Who files or sponsors the application."""

    EMPLOYER = "employer"  # 用人单位
    INVESTMENT_DEPARTMENT = "investment_department"  # 招商部门 (Weihai business_elite)
    ENTERPRISE = "enterprise"  # 目标企业 (Weihai enterprise_talent)
    NONE = "none"  # the talent applies alone


class EmployerLevel(enum.StrEnum):
    """An employer's level in the register of employers (单位层级): it decides which
    window reviews its files first (shandong-provincial-service-standard 7.1 item 4,
    同级高层次人才服务窗口)."""

    COUNTY = "county"  # 县级
    CITY = "city"  # 市级
    PROVINCE = "province"  # 省级


class IdDocumentKind(enum.StrEnum):
    """The identity document a holder is known by."""

    RESIDENT_ID = "resident_id"  # 居民身份证 (GB 11643-1999, checksummed)
    PASSPORT = "passport"  # 护照 (foreign talent)
    OTHER = "other"  # 港澳台居民居住证, 外国人永久居留身份证 …


class CardStatus(enum.StrEnum):
    """Where a card stands. EXPIRED is derived from valid_until, never recorded."""

    UNDER_REVIEW = "under_review"  # 已申请, 审核中
    REJECTED = "rejected"  # 未通过
    WITHDRAWN = "withdrawn"  # 已撤回
    ACTIVE = "active"  # 有效
    SUSPENDED = "suspended"  # 暂停
    REVOKED = "revoked"  # 收回
    EXPIRED = "expired"  # 已过期 (derived)


class ErasureGround(enum.StrEnum):
    """Why a person's data is erased (个人信息删除): PIPL art. 47 para. 1, the closed list
    of grounds on which a handler must delete."""

    PURPOSE_MET = "purpose_met"  # (一) 处理目的已实现、无法实现或者为实现处理目的不再必要
    RETENTION_ENDED = "retention_ended"  # (二) 停止提供产品或者服务，或者保存期限已届满
    CONSENT_WITHDRAWN = "consent_withdrawn"  # (三) 个人撤回同意
    UNLAWFUL = "unlawful"  # (四) 违反法律、行政法规或者违反约定处理个人信息
    OTHER_LAW = "other_law"  # (五) 法律、行政法规规定的其他情形


class AmendmentChange(enum.StrEnum):
    """What an amendment of a card's people changes (信息变更, Liaocheng art. 33; PIPL art. 46)."""

    ADD_MEMBER = "add_member"  # a family member joins (a spouse married, a child born)
    CORRECT_MEMBER = "correct_member"  # a family member's details were wrong
    REMOVE_MEMBER = "remove_member"  # a family member leaves (divorce, death)
    CORRECT_HOLDER = "correct_holder"  # the holder's name or date of birth was wrong


class AmendmentVerdict(enum.StrEnum):
    """The issuing body's decision on a change asked for."""

    APPROVED = "approved"  # 同意变更
    REFUSED = "refused"  # 不予变更 (saying why)
