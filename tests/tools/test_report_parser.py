"""The progress report parser: the status rule, PDF page breaks, cross-references, owners."""

from pathlib import Path

import pytest
from django.conf import settings

from recommendations.models import Section, Status
from tools import report_parser
from tools.report_parser import (
    ORGANISATIONS,
    OWNER_OVERRIDES,
    SENTENCE_END,
    addressees,
    cross_references,
    heal_page_breaks,
    owners_named_in,
    parse_report,
    split_paragraphs,
    status_from_update,
)

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "sources" / "progress-report-2017.txt"


@pytest.fixture(scope="module")
def report():
    return parse_report(SOURCE.read_text(encoding="utf-8"))


# --- The status rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        "This recommendation has been resolved.",
        "This has been resolved.",
        "This recommendation has been resolved, but will be kept under review through the "
        "London CONTEST Board.",
        "This recommendation has been resolved and the questions will feature in future surveys.",
        "…and so this recommendation is considered resolved.",
        "Insofar as a decision to appoint a Mayoral Adviser, with the new Deputy Mayor for Fire "
        "and Rescue identified as the holder of the post, this recommendation has been resolved.",
        "The MPS have now created a retention strategy.\n\nThis recommendation has been resolved.",
    ],
)
def test_a_has_been_resolved_statement_means_resolved(update):
    assert status_from_update(update) == Status.RESOLVED


@pytest.mark.parametrize(
    "update",
    [
        "This recommendation has been resolved by other means.",
        "As a result of the considerable work taking place, this recommendation has been "
        "resolved by other means.",
        "At this time, we consider this recommendation resolved by other means and do not plan "
        "to pursue a merger.",
        "We accept the national policing view and so consider that this recommendation has been "
        "resolved by other means.",
        "Given this reassurance, this recommendation is considered resolved by other means.",
    ],
)
def test_resolved_by_other_means_statement_means_resolved_by_other_means(update):
    assert status_from_update(update) == Status.RESOLVED_BY_OTHER_MEANS


def test_resolved_by_other_means_wins_over_resolved():
    update = (
        "This recommendation has been resolved.\n\n"
        "Strictly, it was resolved by other means: the same outcome was reached another way."
    )
    assert status_from_update(update) == Status.RESOLVED_BY_OTHER_MEANS


@pytest.mark.parametrize(
    "update",
    [
        "The LAS secured funding for the current 2017/18 period.",
        "It is disappointing that this has not yet been resolved, and we will continue to "
        "monitor this.",
        "Pay negotiations are continuing but unless there is a resolution to the pay claim, "
        "we will continue to make the case that they should step in to resolve this situation.",
        "We will continue to work with the national employers and Home Office to support them "
        "in resolving this recommendation.",
        "",
    ],
)
def test_an_update_with_neither_statement_is_ongoing(update):
    assert status_from_update(update) == Status.ONGOING


# --- Paragraphs and PDF page breaks --------------------------------------------------------


def test_paragraphs_are_split_on_blank_lines_with_whitespace_normalised():
    text = "  First   paragraph\nwraps here.  \n\n\n \nSecond\tone.\n"
    assert split_paragraphs(text) == ["First paragraph wraps here.", "Second one."]


def test_a_bulleted_list_keeps_one_item_a_line():
    text = "namely:\n\n- Legislation and Regulation\n- Communication\n\nEach workshop…"
    assert split_paragraphs(text) == [
        "namely:",
        "- Legislation and Regulation\n- Communication",
        "Each workshop…",
    ]


def test_a_sentence_cut_by_a_page_break_is_joined_with_one_space():
    paragraphs = [
        "…seeking the responses from others about whether and how they",
        "plan to put the recommendations into practice.",
    ]
    assert heal_page_breaks(paragraphs) == [
        "…seeking the responses from others about whether and how they plan to put the "
        "recommendations into practice."
    ]


def test_a_page_break_after_a_capitalised_word_is_joined():
    paragraphs = ["…and the Civil Aviation Authority. The Government", "plans to implement…"]
    assert heal_page_breaks(paragraphs) == [
        "…and the Civil Aviation Authority. The Government plans to implement…"
    ]


def test_a_listed_page_break_before_a_capital_is_joined():
    paragraphs = [
        "In terms of MCVs, LAS has three strategically located (and nationally provided)",
        "MCVs which are further supplemented by six equipment support vehicles.",
    ]
    assert heal_page_breaks(paragraphs) == [
        "In terms of MCVs, LAS has three strategically located (and nationally provided) MCVs "
        "which are further supplemented by six equipment support vehicles."
    ]


@pytest.mark.parametrize(
    "paragraphs",
    [
        ["This recommendation has been resolved.", "The Mayor will continue to…"],
        [
            "Consideration should be given to wider measures to increase the number of firearms "
            "instructors",
            "As part of the ongoing armed uplift programme…",
        ],
        [
            "…summit which took place in the summer as being the most significantly challenging, "
            "namely:",
            "- Legislation and Regulation",
        ],
        ["Introduction", "The Harris Review into London's Preparedness…"],
    ],
)
def test_a_real_paragraph_break_is_kept(paragraphs):
    assert heal_page_breaks(paragraphs) == paragraphs


def test_the_reports_page_breaks_are_all_healed(report):
    """Each paragraph that ends without sentence-ending punctuation was read and is meant
    to: three recommendations worded without a full stop, two updates that end without one,
    and the list of themes in 78. No paragraph starts in lowercase."""
    unpunctuated = {
        (rec.number, part): paragraph
        for rec in report
        for part, text in (("text", rec.text), ("update", rec.update_text))
        for paragraph in text.split("\n\n")
        if not paragraph.endswith(SENTENCE_END)
    }
    endings = {
        (19, "text"): "the number of firearms instructors",
        (52, "update"): "in providing services across the capital",
        (62, "text"): "who might be at risk of radicalisation",
        (78, "update"): "- Training, Learning and Qualifications",
        (109, "text"): "along with representatives of social-media companies",
        (121, "update"): "highlighting the advice and supporting its use in schools",
    }
    assert set(unpunctuated) == set(endings)
    for key, ending in endings.items():
        assert unpunctuated[key].endswith(ending), key
    for rec in report:
        for paragraph in [rec.text, *rec.update_text.split("\n\n")]:
            assert not paragraph[:1].islower(), (rec.number, paragraph[:60])


def test_the_reports_page_breaks_are_joined_where_they_cut_sentences(report):
    updates = {rec.number: rec.update_text for rec in report}
    for number, healed in [
        (4, "the Civil Aviation Authority. The Government plans to implement mandatory"),
        (5, "The Border Force has invested £68m in technology and infrastructure in 2016/17"),
        (8, "with good and timely briefing from the MPS"),
        (16, "in the event of specific intelligence and/or a rise"),
        (19, "as well as wider measures to deliver the right number"),
        (27, "they currently only receive £174m a year - £172m short."),
        (32, "to identify and deliver a permanent solution to the protection"),
        (47, "to fund any required increase in pay, and we will continue"),
        (49, "Whilst these discussions continue, London Fire Brigade (LFB)"),
        (53, "(and nationally provided) MCVs which are further supplemented"),
        (62, "This work also includes extra training, working in conjunction"),
        (64, "provision for remote links is also included in longer term plans"),
        (72, "this technical project. The project will see a high level review"),
        (76, "a River Group which includes the emergency services"),
        (81, "how to react to incidents through the Crowded Places Information Exchange"),
        (87, "of the London Resilience Forum that the FSP should be the primary vehicle"),
        (115, "businesses and Londoners to ensure London thrives as a 24-hour city."),
        (125, "If they consider there to be sufficient evidence (based on the civil test)"),
    ]:
        assert healed in updates[number], number


# --- Cross-references ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("The recommendation is linked to Recommendation 74, below.", {74}),
        ("The online tool, referenced in recommendation 80 will help", {80}),
        ("As with recommendation 37, above, it is clear", {37}),
        ("as recommended in recommendation 97 will increase", {97}),
        ("London PROTECT (see recommendation 77).", {77}),
        ("see recommendations 12 and 13", {12, 13}),
        ("see recommendations 45-47", {45, 46, 47}),
        ("the River Thames recommendations (73-75) contained in the Review", {73, 74, 75}),
        ("recommendations 3, 5 and 9–10", {3, 5, 9, 10}),
        ("Recommendations for Local Government Emergency Planning and Resilience", set()),
        ("recommendation 128 and recommendation 0", set()),
        ("recommendation 5 and 2017/18 funding", {5}),
        ("the recommendations of the Review", set()),
    ],
)
def test_cross_references_are_the_recommendation_numbers_cited(text, numbers):
    assert cross_references(text) == numbers


def test_related_recommendations_are_symmetric_without_self_links(report):
    related = {rec.number: set(rec.related) for rec in report}
    for number, others in related.items():
        assert number not in others
        for other in others:
            assert number in related[other]
    assert {n: sorted(r) for n, r in related.items() if r} == {
        37: [39],
        39: [37],
        73: [74],
        74: [73, 75],
        75: [74],
        77: [81],
        80: [114],
        81: [77],
        97: [98],
        98: [97],
        114: [80],
    }


# --- The report ----------------------------------------------------------------------------


def test_the_report_holds_127_recommendations_in_two_sections(report):
    assert sorted(rec.number for rec in report) == list(range(1, 128))
    mayor = [rec.number for rec in report if rec.section == Section.MAYOR]
    assert mayor == [2, 7, 8, 10, 29, 32, 41, 47, 48, 49, 51, 75, 77, 78, 87, 90, 91, 98, 106,
                     115, 126, 127]  # fmt: skip
    assert [rec.number for rec in report][22] == 1  # "Other Recommendations" start at 1


def test_every_recommendation_has_text_and_an_update(report):
    for rec in report:
        assert rec.text and "\n" not in rec.text, rec.number
        assert rec.update_text, rec.number
        assert "\n\n\n" not in rec.update_text, rec.number


def test_a_report_missing_a_recommendation_is_refused():
    text = SOURCE.read_text(encoding="utf-8").replace("\n63.\n", "\n")
    with pytest.raises(ValueError, match=r"missing \[63\]"):
        parse_report(text)


# --- Owners --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        (
            "The Mayor and the Metropolitan Police Service should strongly resist any attempts "
            "by central government to move the counter-terrorism function from the MPS to the "
            "National Crime Agency.",
            ["mayor", "mps"],
        ),
        ("MOPAC should consider repeating the survey of firearms officers with MPS officers.",
         ["mopac"]),
        ("Consideration should also be given by the GLA and relevant local authorities to the "
         "wider installation of protective bollards.", ["gla", "local-authorities"]),
        ("The MPS should work with BTP, and others, to see how live CCTV streaming could be "
         "introduced.", ["mps", "btp"]),
        ("The Home Office and National Police Chief’s Council should review firearms training.",
         ["home-office", "npcc"]),
        ("Consideration should be given to wider measures to increase the number of firearms "
         "instructors", []),
    ],
)  # fmt: skip
def test_addressees_are_the_organisations_that_should_act(text, keys):
    assert addressees(text) == keys


def test_the_deputy_mayor_for_policing_is_mopac_not_the_mayor():
    assert owners_named_in("the Deputy Mayor for Policing and Crime") == ["mopac"]
    assert owners_named_in("the Mayor's Office for Policing and Crime (MOPAC)") == ["mopac"]
    assert owners_named_in("the Mayor's Office") == ["mayor"]


def test_owner_overrides_name_known_organisations_and_correct_the_rule(report):
    texts = {rec.number: (rec.text, rec.update_text) for rec in report}
    for number, keys in OWNER_OVERRIDES.items():
        assert 1 <= number <= 127
        assert keys and len(set(keys)) == len(keys), number
        assert set(keys) <= set(ORGANISATIONS), number
        text, update = texts[number]
        rule = addressees(text) or owners_named_in(update)[:1]
        assert rule != keys, f"{number}: the override repeats the rule"


def test_every_recommendation_has_owners_and_every_organisation_owns_one(report):
    for rec in report:
        assert rec.owners and len(set(rec.owners)) == len(rec.owners), rec.number
        assert set(rec.owners) <= set(ORGANISATIONS), rec.number
    assert {key for rec in report for key in rec.owners} == set(ORGANISATIONS)


def test_the_organisation_table_uses_the_documents_acronyms():
    acronyms = {key: spec.acronym for key, spec in ORGANISATIONS.items() if spec.acronym}
    assert acronyms["mps"] == "MPS"
    assert acronyms["colp"] == "CoLP"
    assert acronyms["tfl"] == "TfL"
    assert acronyms["nactso"] == "NaCTSO"
    assert report_parser.ORGANISATIONS["home-office"].name == "Home Office"
