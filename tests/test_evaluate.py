"""Extraction measured against the hand-written evaluation set (tests/eval): the figures may only go up.
Also the scoring itself, on records small enough to check by hand."""

from __future__ import annotations

import pytest

from parsers.evaluate import METRICS, Tally, evaluate, format_table, main, run_folder, score_document

from .helpers import ROOT

EVAL = ROOT / "tests" / "eval"
EXTRA = ROOT / "tests" / "eval_extra"  # eight documents written after the extractor (see its README)

# (precision, recall) reached on tests/eval. Raise these when extraction improves; never lower them to
# make a change pass. Targets of the issue: (organization, role) ≥ 0.95 precision, ≥ 0.90 recall.
FLOORS = {metric: (1.0, 1.0) for metric in METRICS}
NON_ORGANIZATIONS_KEPT = 0  # of the 163 the expected records list


@pytest.fixture(scope="module")
def report(settings):
    return evaluate(run_folder(EVAL, settings.profiles))


@pytest.fixture(scope="module")
def extra(settings):
    return evaluate(run_folder(EXTRA, settings.profiles))


def test_evaluation_set_is_complete(report):
    assert len(report.documents) == 38
    assert report.non_organizations == (NON_ORGANIZATIONS_KEPT, 163)


def test_figures_stay_at_or_above_the_floors(report):
    below = {metric: figures for metric, figures in report.figures().items()
             if figures[0] < FLOORS[metric][0] or figures[1] < FLOORS[metric][1]}
    assert below == {}


def test_extra_documents_stay_at_or_above_the_floors(extra):
    assert len(extra.documents) == 8
    below = {metric: figures for metric, figures in extra.figures().items()
             if figures[0] < FLOORS[metric][0] or figures[1] < FLOORS[metric][1]}
    assert below == {}
    assert extra.non_organizations == (0, 8)


def test_memberships_meet_the_targets(report):
    memberships = report.total("memberships")
    assert memberships.precision >= 0.95 and memberships.recall >= 0.90


def test_main_prints_the_table(capsys):
    assert main([str(EVAL)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["metric", "precision", "recall", "F1", "tp", "fp", "fn"]
    assert "memberships                1.000   1.000  1.000   114    0    0" in out.splitlines()


def test_main_rejects_a_folder_without_expected_records(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2


EXPECTED = {
    "doc": "x.html", "title": "T", "published_at": "2021-05-10T10:00:00+08:00",
    "organizations": [{"name": "甲市协会", "province": "浙江省", "city": "甲市", "county": None},
                      {"name": "乙市协会", "province": "浙江省", "city": "乙市", "county": None}],
    "memberships": [{"org_name": "乙市协会", "role": "理事单位", "federation_name": "甲市协会", "valid_from": "2021-05-09"}],
    "membership_ends": [], "grades": [],
    "events": [{"org_name": "乙市协会", "kind": "registered", "on": None, "new_name": None, "authority": "甲市民政局",
                "credit_code": "51330383MJ9K05T291", "credit_code_valid": True}],
    "counts": [{"wording": "近200家", "value": 200, "approximate": True}],
    "not_organizations": ["甲市民政局"], "aliases": [], "notes": "",
}
PREDICTED = {
    "title": "T", "published_at": None,
    "organizations": [{"name": "甲市协会", "province": "浙江省", "city": None, "county": None},
                      {"name": "甲市民政局", "province": None, "city": None, "county": None}],
    "memberships": [{"org_name": "乙市协会", "role": "会员单位", "federation_name": "甲市协会", "valid_from": "2021-05-09"}],
    "membership_ends": [], "grades": [],
    "events": [{"org_name": "乙市协会", "kind": "registered", "on": None, "new_name": None, "authority": None}],
    "credit_codes": [],
    "counts": [{"wording": "200家", "value": 200, "approximate": True}],
    "aliases": [],
}


def test_score_document_compares_whole_items():
    score = score_document(EXPECTED, PREDICTED)
    assert {m: t for m, t in score.tallies.items() if t != Tally()} == {
        "organizations": Tally(1, 1, 1),
        "regions": Tally(0, 1, 1),  # 甲市协会 found, its city wrong
        "memberships": Tally(0, 1, 1),
        "memberships+date": Tally(0, 1, 1),
        "events": Tally(1, 0, 0),
        "events+date": Tally(1, 0, 0),
        "events+authority": Tally(0, 0, 1),
        "credit_codes": Tally(0, 0, 1),
        "counts": Tally(1, 0, 0),  # wording only locates a claim
        "title": Tally(1, 0, 0),
        "published_at": Tally(0, 0, 1),
    }
    assert score.missed["memberships"] == [("乙市协会", "理事单位", "甲市协会")]
    assert score.spurious["memberships"] == [("乙市协会", "会员单位", "甲市协会")]
    assert score.leaked == ["甲市民政局"]


def test_table_of_a_perfect_match():
    predicted = dict(EXPECTED, credit_codes=[{"org_name": "乙市协会", "credit_code": "51330383MJ9K05T291",
                                             "credit_code_valid": True}])
    report = evaluate([(EXPECTED, predicted)])
    assert all(t == (1.0, 1.0) for t in report.figures().values())
    assert format_table(report).splitlines()[-2:] == ["non-organizations kept as organizations: 0 of 1 listed",
                                                      "documents: 1"]


# tests/eval_holdout: 16 documents written by someone who never saw the extractor. Its first score on
# (organization, role) was 0.877 / 0.893; one general fix it exposed (a suffix right after a suffix,
# 异地商会联合会) gave the figures below. Events and credit codes remain weak there: the honest level.
HOLDOUT = ROOT / "tests" / "eval_holdout"
HOLDOUT_FLOORS = {
    "organizations": (0.954, 1.0), "regions": (1.0, 1.0), "memberships": (0.982, 1.0),
    "memberships+date": (0.877, 0.893), "membership_ends": (0.8, 1.0), "grades": (1.0, 1.0),
    "events": (0.875, 0.5), "credit_codes": (0.666, 0.222), "counts": (1.0, 0.818), "aliases": (0.954, 0.954),
}


def test_holdout_stays_at_or_above_its_floors(settings):
    held = evaluate(run_folder(HOLDOUT, settings.profiles))
    assert len(held.documents) == 16
    figures = held.figures()
    below = {m: figures[m] for m, (p, r) in HOLDOUT_FLOORS.items() if figures[m][0] < p or figures[m][1] < r}
    assert below == {}
    assert held.non_organizations == (0, 87)
    memberships = held.total("memberships")
    assert memberships.precision >= 0.95 and memberships.recall >= 0.90
