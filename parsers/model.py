"""Plain records passed between stages. Everything here is JSON-serialisable via ``asdict``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime


@dataclass
class Article:
    source: str  # what the user gave (path or URL)
    url: str  # canonical locator: http(s) URL or file:// URI
    title: str | None
    published_at: datetime | None
    source_name: str | None  # "来源：…" when stated
    paragraphs: list[str]  # repaired text
    paragraphs_original: list[str]  # as on the page
    title_original: str | None
    encoding: str
    encoding_evidence: str
    profile: str | None  # site profile key, or None for the generic extractor
    content_hash: str  # sha256 of the raw bytes

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(frozen=True)
class Organization:
    org_id: str
    name: str  # canonical simplified name
    province: str | None
    city: str | None
    county: str | None
    division_code: str | None
    org_type: str | None
    level: str | None  # national | provincial | city | county
    aliases: tuple[str, ...] = ()  # surface forms seen in this article (original text)


@dataclass(frozen=True)
class MembershipClaim:
    """One statement in the text: ``org`` holds ``role`` in ``federation`` from ``valid_from``."""

    org_id: str
    org_name: str
    role: str
    federation_id: str
    federation_name: str
    valid_from: date | None
    evidence: str


@dataclass(frozen=True)
class MembershipEnd:
    """An explicit end: ``org`` leaves ``federation`` (退出, 被取消会员资格 …) on ``on``."""

    org_id: str
    org_name: str
    federation_id: str
    federation_name: str
    on: date | None
    wording: str
    evidence: str


@dataclass(frozen=True)
class Event:
    org_id: str
    org_name: str
    kind: str  # founded | registered | changed | renamed | deregistered | revoked
    on: date | None  # the date the text states, else None
    evidence: str
    new_name: str | None = None  # renamed: the name from ``on``
    new_org_id: str | None = None
    authority: str | None = None  # 登记管理机关 of a registration event (民政厅/民政局 …)
    credit_code: str | None = None  # 统一社会信用代码 the text gives, only when both checks pass


@dataclass(frozen=True)
class Grade:
    """An evaluation grade (社会组织评估等级) given to ``org`` on ``on``: "5A" … "1A"."""

    org_id: str
    org_name: str
    grade: str
    previous_grade: str | None  # as the text states it ("由4A级降为3A级")
    on: date | None  # the date the text gives, else the publish date; None for an earlier, undated grade
    evidence: str


@dataclass(frozen=True)
class Resolution:
    """A surface form resolved to an organization by more than reading its full name: kept so that the
    resolution can be reviewed and undone (the surface form is also an alias)."""

    org_id: str
    org_name: str
    surface: str
    method: str  # short_prefix | context_region | abbreviation | credit_code
    evidence: str


@dataclass(frozen=True)
class CountClaim:
    wording: str  # "浙江共有20家"
    value: int
    approximate: bool
    scope: str  # what was counted: "members:<federation_id>" or "role:<role>"
    named: int  # how many listings the text gives for that scope
    distinct: int  # how many distinct organizations those listings are
    evidence: str


@dataclass(frozen=True)
class Statistic:
    wording: str
    value: float
    unit: str
    region: str | None
    as_of: str | None  # "2018-05" or "2018-05-10"
    evidence: str


@dataclass(frozen=True)
class Finding:
    kind: str
    detail: str
    evidence: str = ""


@dataclass
class Extraction:
    article: Article
    organizations: list[Organization] = field(default_factory=list)
    claims: list[MembershipClaim] = field(default_factory=list)
    ends: list[MembershipEnd] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    counts: list[CountClaim] = field(default_factory=list)
    statistics: list[Statistic] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)
    # Valid 统一社会信用代码 per organization: (org_id, code, evidence).
    credit_codes: list[tuple[str, str, str]] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)


def to_jsonable(value):
    """asdict plus ISO dates; used by ``orgledger parse --json`` and the golden files."""
    if hasattr(value, "__dataclass_fields__"):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value
