"""Read the Harris Review's recommendations out of the October 2017 progress report.

The report survives as the text of its PDF (`fixtures/sources/progress-report-2017.txt`). These
are pure functions over that text, with no database and no Django: `parse_report()` returns
one `ParsedRecommendation` per recommendation, in the report's order, and
`tools/build_recommendations_fixture.py` turns them into the tracker's fixture.

The report's layout: two sections (the Mayor's, then "Other Recommendations"); in each, a
line "N." opens recommendation N, the next paragraph is the recommendation as the Review
worded it, and the paragraphs up to the next "N." line are the October 2017 update.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

RECOMMENDATION_COUNT = 127


class Status(StrEnum):
    """The report's three statuses, spelt as `recommendations.models.Status` stores them (a
    test checks they agree): this module runs without Django."""

    RESOLVED = "resolved"
    RESOLVED_BY_OTHER_MEANS = "resolved-by-other-means"
    ONGOING = "ongoing"


class Section(StrEnum):
    """The report's two sections, spelt as `recommendations.models.Section` stores them."""

    MAYOR = "mayor"
    OTHER = "other"


MAYOR_HEADING = (
    "Recommendations Aimed at the Mayor's Office, MOPAC and the London Fire and "
    "Emergency Planning Authority"
)
OTHER_HEADING = "Other Recommendations"
#: The back-matter heading that ends the last recommendation's update.
END_HEADING = "Other formats and languages"

_NUMBER_LINE = re.compile(r"(\d{1,3})\.")
_LIST_ITEM = re.compile(r"- ")


# --- Paragraphs and PDF page breaks -------------------------------------------------------

#: A paragraph ending in one of these ends where its author ended it.
SENTENCE_END = (".", "?", "!", ":", '"', "”", "'", "’", ")")

#: Page breaks the lowercase rule cannot see, because the cut falls before a capital (or
#: after a closing bracket): (end of the first part, start of the second). Each was checked
#: against the sentence it completes.
PAGE_BREAK_CONTINUATIONS = (
    # 53: "LAS has three strategically located (and nationally provided) MCVs which are…"
    ("LAS has three strategically located (and nationally provided)", "MCVs which are"),
    # 115: "…Transport for London, businesses and Londoners to ensure London thrives as…"
    ("businesses and Londoners to ensure", "London thrives as a 24-hour city."),
)


def split_paragraphs(text: str) -> list[str]:
    """The text's paragraphs (separated by blank lines), each with its whitespace normalised.

    A paragraph's lines are joined with a space, except the items of a bulleted list
    ("- …"), which keep a line each.
    """
    paragraphs = []
    for block in re.split(r"\n[ \t]*(?:\n[ \t]*)+", text.replace("\r\n", "\n")):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        paragraph = lines[0]
        for line in lines[1:]:
            paragraph += ("\n" if _LIST_ITEM.match(line) else " ") + line
        paragraphs.append(paragraph)
    return paragraphs


def continues_across_page_break(paragraph: str, following: str) -> bool:
    """Whether `following` is the rest of `paragraph`, cut off from it by a PDF page break.

    A paragraph that stops without sentence-ending punctuation and is followed by one that
    starts in lowercase is one sentence cut in two; `PAGE_BREAK_CONTINUATIONS` lists the
    few cuts before a capital.
    """
    for end, start in PAGE_BREAK_CONTINUATIONS:
        if paragraph.endswith(end) and following.startswith(start):
            return True
    return not paragraph.endswith(SENTENCE_END) and following[:1].islower()


def heal_page_breaks(paragraphs: list[str]) -> list[str]:
    """The paragraphs, each one that a page break cut in two joined again with one space."""
    healed: list[str] = []
    for paragraph in paragraphs:
        if healed and continues_across_page_break(healed[-1], paragraph):
            healed[-1] = f"{healed[-1]} {paragraph}"
        else:
            healed.append(paragraph)
    return healed


# --- Status --------------------------------------------------------------------------------

#: "resolved by other means", however the sentence around it is worded.
RESOLVED_BY_OTHER_MEANS = re.compile(r"\bresolved\s+by\s+other\s+means\b", re.IGNORECASE)

#: The report's "resolved" statements: "This recommendation has been resolved", "This has
#: been resolved", "this recommendation is considered resolved", "we consider this
#: recommendation resolved". Not "this has not yet been resolved" (42).
RESOLVED = re.compile(
    r"\b(?:this(?:\s+recommendation)?|the\s+recommendation)\s+"
    r"(?:has\s+(?:now\s+)?been|is\s+(?:now\s+)?considered)\s+resolved\b"
    r"|\bconsider\s+(?:that\s+)?this\s+recommendation\s+(?:has\s+been\s+)?resolved\b",
    re.IGNORECASE,
)


def status_from_update(text: str) -> Status:
    """The status an update states, by the report's rule.

    "resolved by other means" → Resolved by other means; a "has been resolved" statement →
    Resolved; neither → Ongoing.
    """
    if RESOLVED_BY_OTHER_MEANS.search(text):
        return Status.RESOLVED_BY_OTHER_MEANS
    if RESOLVED.search(text):
        return Status.RESOLVED
    return Status.ONGOING


# --- Cross-references ----------------------------------------------------------------------

_NUMBER_OR_RANGE = r"\d{1,3}(?!\d)(?:\s*[-–]\s*\d{1,3}(?!\d))?"
_CROSS_REFERENCE = re.compile(
    rf"\brecommendations?\s+\(?({_NUMBER_OR_RANGE}(?:\s*(?:,|and|or|&)\s*{_NUMBER_OR_RANGE})*)",
    re.IGNORECASE,
)


def cross_references(text: str) -> set[int]:
    """The recommendation numbers `text` refers to: "recommendation 80", "Recommendation 74",
    "recommendations 12 and 13", "recommendations (73-75)" (a range counts every number)."""
    numbers: set[int] = set()
    for match in _CROSS_REFERENCE.finditer(text):
        for part in re.findall(_NUMBER_OR_RANGE, match.group(1)):
            bounds = [int(n) for n in re.findall(r"\d+", part)]
            numbers.update(range(bounds[0], bounds[-1] + 1))
    return {n for n in numbers if 1 <= n <= RECOMMENDATION_COUNT}


# --- Organisations and owners --------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSpec:
    """An organisation recommendations are addressed to, as the documents name it."""

    name: str
    acronym: str
    #: How a recommendation's text names it (regular expressions, case-sensitive).
    patterns: tuple[str, ...]


#: Every organisation that owns a recommendation, by key: the one table of names, acronyms
#: and the patterns `owners_named_in` looks for. Names and acronyms are the documents' own.
ORGANISATIONS: dict[str, OrganisationSpec] = {
    "btp": OrganisationSpec(
        "British Transport Police", "BTP", (r"\bBTP\b", r"British Transport Police")
    ),
    "caa": OrganisationSpec(
        "Civil Aviation Authority", "CAA", (r"\bCAA\b", r"Civil Aviation Authority")
    ),
    "cabinet-office": OrganisationSpec("Cabinet Office", "", (r"Cabinet Office",)),
    "college-of-policing": OrganisationSpec("College of Policing", "", (r"College of Policing",)),
    "colp": OrganisationSpec(
        "City of London Police", "CoLP", (r"\bCoLP\b", r"\bCOLP\b", r"City of London Police")
    ),
    "dclg": OrganisationSpec(
        "Department for Communities and Local Government",
        "DCLG",
        (r"\bDCLG\b", r"Department for Communities and Local Government"),
    ),
    "dfe": OrganisationSpec(
        "Department for Education", "DfE", (r"\bDfE\b", r"Department for Education")
    ),
    "dft": OrganisationSpec(
        "Department for Transport", "DfT", (r"\bDfT\b", r"Department for Transport")
    ),
    "doh": OrganisationSpec("Department of Health", "", (r"Department of Health",)),
    "gla": OrganisationSpec(
        "Greater London Authority", "GLA", (r"\bGLA\b", r"Greater London Authority")
    ),
    "home-office": OrganisationSpec("Home Office", "", (r"Home Office", r"Home Secretary")),
    "ipcc": OrganisationSpec(
        "Independent Police Complaints Commission",
        "IPCC",
        (r"\bIPCC\b", r"Independent Police Complaints Commission"),
    ),
    "las": OrganisationSpec(
        "London Ambulance Service", "LAS", (r"\bLAS\b", r"London Ambulance Service")
    ),
    "lfb": OrganisationSpec(
        "London Fire Brigade", "LFB", (r"\bLFB\b", r"London Fire Brigade", r"\bfire service\b")
    ),
    "lfepa": OrganisationSpec(
        "London Fire and Emergency Planning Authority",
        "LFEPA",
        (r"\bLFEPA\b", r"London Fire and Emergency Planning Authority"),
    ),
    "local-authorities": OrganisationSpec(
        "London local authorities",
        "",
        (r"\b[Ll]ocal authorit(?:y|ies)\b", r"\bLondon boroughs\b"),
    ),
    "london-city-airport": OrganisationSpec(
        "London City Airport", "", (r"\bLondon City Airport\b", r"\bairport management\b")
    ),
    "london-councils": OrganisationSpec("London Councils", "", (r"\bLondon Councils\b",)),
    "lrf": OrganisationSpec(
        "London Resilience Forum", "LRF", (r"\bLRF\b", r"London Resilience Forum")
    ),
    "mayor": OrganisationSpec(
        "Mayor of London",
        "",
        # The Mayor and the Mayor's Office, not MOPAC nor a Deputy Mayor for something.
        (r"(?<!Deputy )\bMayor\b(?!'s Office for Policing)(?! for )", r"\bMayoralty\b"),
    ),
    "mod": OrganisationSpec(
        "Ministry of Defence", "MoD", (r"\bMoD\b", r"\bMOD\b(?! Police)", r"Ministry of Defence")
    ),
    "mopac": OrganisationSpec(
        "Mayor's Office for Policing and Crime",
        "MOPAC",
        (r"\bMOPAC\b", r"Mayor's Office for Policing and Crime", r"Deputy Mayor for Policing"),
    ),
    "mps": OrganisationSpec(
        "Metropolitan Police Service",
        "MPS",
        (r"\bMPS\b", r"Metropolitan Police", r"\bthe Commissioner\b"),
    ),
    "nactso": OrganisationSpec(
        "National Counter Terrorism Security Office",
        "NaCTSO",
        (r"\bNaCTSO\b", r"National Counter Terrorism Security Office"),
    ),
    "nca": OrganisationSpec(
        "National Crime Agency", "NCA", (r"\bNCA\b", r"National Crime Agency")
    ),
    "nctphq": OrganisationSpec(
        "National Counter Terrorism Policing Headquarters",
        "NCTPHQ",
        (r"\bNCTPHQ\b", r"National Counter[ -]Terrorism Policing (?:HQ|Headquarters)"),
    ),
    "nhs-england": OrganisationSpec("NHS England", "", (r"\bNHS England\b",)),
    "npcc": OrganisationSpec(
        "National Police Chiefs' Council",
        "NPCC",
        (r"\bNPCC\b", r"National Police Chief[’']?s[’']? Council"),
    ),
    "palace": OrganisationSpec(
        "Palace of Westminster Authorities", "", (r"\bPalace Authorities\b",)
    ),
    "pla": OrganisationSpec(
        "Port of London Authority", "PLA", (r"\bPLA\b", r"Port of London Authority")
    ),
    "sia": OrganisationSpec(
        "Security Industry Authority", "SIA", (r"\bSIA\b", r"Security Industry Authority")
    ),
    "tfl": OrganisationSpec("Transport for London", "TfL", (r"\bTfL\b", r"Transport for London")),
}

#: Where the rule in `owners_for` gets a recommendation's owners wrong: number → keys, lead
#: first, each with the words that decide it. Every recommendation was read to make this.
OWNER_OVERRIDES: dict[int, list[str]] = {
    # "The Mayor should ask the Chair of the London Resilience Forum to consider…"
    1: ["mayor", "lrf"],
    # "…conducted by the MPS and airport management"
    3: ["mps", "london-city-airport"],
    # "The Civil Aviation Authority should…" and "Government should also explore…": the
    # update's government department is the DfT.
    4: ["caa", "dft"],
    # "The Mayor should seek, nationally, assurances…" of border coverage: "The Home Office
    # have confirmed that they constantly review their approach to border security".
    5: ["mayor", "home-office"],
    # "Joint intelligence hubs should be established between the NCA and MPS"
    6: ["mps", "nca"],
    # "a counter-terrorism adviser to the Mayor and Deputy Mayor for Policing and Crime"
    7: ["mayor", "mopac"],
    # "UK policing is able to maintain…": "Work is ongoing within policing, with the National
    # Crime Agency, the National Police Chiefs' Council (NPCC) and the MPS".
    11: ["npcc", "nca", "mps"],
    # "led by senior politicians and police and military leaders": "significant
    # communications activity by the military, police and others"
    14: ["mod", "mps"],
    # Operation Temperer: "Lessons learnt … are being considered by the military, the police"
    15: ["mod", "mps"],
    # "The military and police must keep under constant review…"
    16: ["mod", "mps"],
    # "…at the MOD headquarters": "The Ministry of Defence (MoD) have now confirmed…"
    17: ["mod"],
    # "The '30plus' scheme should be reintroduced … within the Service": "The Home Office
    # have agreed with the MPS that they are able to re-hire instructors".
    22: ["home-office", "mps"],
    # "led by a chief officer … on behalf of the National Police Chiefs' Council … The MPS
    # are observing this programme"
    23: ["npcc", "mps"],
    # "…considered by the Home Office … They should review this urgently": "A multi-agency
    # project led by the Metropolitan Police Service"
    31: ["home-office", "mps"],
    # "…given by the GLA and relevant local authorities": the work is MOPAC's ("the MOPAC
    # Chief Executive Officer is now chairing subsequent meetings").
    32: ["gla", "local-authorities", "mopac"],
    # "policing, and particularly the BTP, must be fully engaged" by the ESN programme:
    # "The Home Office have worked closely with their core suppliers…"
    36: ["home-office"],
    # "Following the COLP example … the MPS should consider…"
    38: ["mps"],
    # "The CoLP and MPS must work together…": "The MPS is co-ordinating liaison with CoLP"
    40: ["mps", "colp"],
    # "I would urge the Home Secretary to sign off the guidance"
    42: ["home-office"],
    # "the statutory guidance to the IPCC … and the Home Office should consider additional
    # resources to the IPCC": the update reports the IPCC's change programme.
    43: ["home-office", "ipcc"],
    # "The draft protocol that the IPCC have developed with the police": "The police and the
    # IPCC have now agreed this protocol."
    44: ["ipcc", "mps"],
    # The Mayor's section is aimed at LFEPA, the authority over the Brigade (47–51):
    # "the current LFB/LAS co-responding pilot"
    47: ["lfb", "las", "lfepa"],
    # "implementing the new training for LFB personnel"
    48: ["lfb", "lfepa"],
    # "agreement … between the fire service and the FBU"
    49: ["lfb", "lfepa"],
    # "The Mayer review into the London Fire Brigade should look at the number of FRUs"
    51: ["lfb", "lfepa"],
    # HART teams and Mass Casualty Vehicles: "The Home Office and the Ambulance Service NHS
    # Trust consider the current provision … to be appropriate"
    53: ["las", "home-office"],
    # "…MTFA funding for the LAS … with the NHS adequately funding LAS' requirements": "in
    # discussion with NHS England"
    54: ["las", "nhs-england"],
    # "available to fire, ambulance and police personnel": "Across the MPS, LAS and LFB"
    57: ["lfb", "las", "mps"],
    # "the tri-service heads meetings": the heads of police, fire and ambulance
    59: ["mps", "lfb", "las"],
    # "London's major trauma centres": "The NHS in London has also undertaken…"
    60: ["nhs-england"],
    # Community mental health services: "the Department of Health are working to improve…",
    # "The Mayor, as chair of the London Health Board, has called for a greater role"
    62: ["doh", "mayor"],
    # "The police and security agencies should ensure…": the threat information is the
    # government's National Risk Assessment (the Cabinet Office's).
    71: ["mps", "cabinet-office"],
    # "Local authorities should…" and "…kept under review by the Mayor's Office": "MOPAC is
    # currently procuring expertise to conduct this technical project"
    72: ["local-authorities", "mopac"],
    # "widening the remit of the Port of London Authority": the river's security group is
    # "chaired by the Department for Transport" (73–75).
    74: ["dft", "pla"],
    # "a comprehensive review of safety and security on the river, commissioned by the Mayor"
    75: ["mayor"],
    # "The London Resilience Forum should establish a sub-group": "The Port of London
    # Authority will be chairing and supporting a River Group"
    76: ["lrf", "pla"],
    # "The police and security services should consider producing a regular newsletter"
    77: ["mps"],
    # "I recommend that the Mayor convenes a small group": the business sub-group advises
    # "via MOPAC"; the CONTEST Board is "chaired by the Deputy Mayor for Policing and Crime".
    78: ["mayor", "mopac"],
    # Communication "via the Security Industry Authority": "The Step Change Summit 2017 was
    # set up by National Counter Terrorism Policing Headquarters"
    79: ["sia", "nctphq"],
    # Training for "SIA licensed security operatives" beyond Griffin and Argus (on which
    # "NaCTSO leads", 83); the update names nobody.
    80: ["sia", "nactso"],
    # The role of SIA licensed operatives in the tactical options: "NCTPHQ are actively
    # working with the SIA"
    81: ["nctphq", "sia"],
    # Support for in-house security: "A fully revised Griffin product" (NaCTSO's) and
    # "Counter Terrorism Focus Desks" (the MPS's)
    82: ["nactso", "mps"],
    # "Local police and local authority chief executives and leaders should…"
    88: ["mps", "local-authorities"],
    # "Key members of the LRF, including the police, fire and ambulance services, along with
    # the Mayor's office should…"
    89: ["lrf", "mps", "lfb", "las", "mayor"],
    # "…that the Mayor determines…": "GLA officers have held meetings with the London
    # Emergencies Trust"
    91: ["mayor", "gla"],
    # "all front-line personnel": "all front line emergency services staff"
    94: ["mps", "lfb", "las"],
    # "…that the Deputy Mayor for Policing and Crime sits on the LRF, along with the Deputy
    # Mayor for Fire and the Deputy Mayor for Transport"
    97: ["mopac", "mayor", "lrf"],
    # "The LRF should … use the power of the Mayoralty"
    98: ["lrf", "mayor"],
    # A place on the Strategic Coordination Group: "the chair of the Utilities Sector Panel"
    # (an LRF panel) "will attend the SCG"
    99: ["lrf"],
    # "a situational awareness tool for the SCG": the LRF's, as its SCG work (100)
    101: ["lrf"],
    # "There should be a clear role for the Mayor and the relevant Deputy Mayors…"
    104: ["mayor"],
    # Servator lessons "embedded in the training of armed officers": "Project Servator has
    # now been implemented in London" (the MPS's, 35)
    105: ["mps"],
    # Media table-top exercises: "As above" — the MPS Directorate of Media and
    # Communications' exercises (108)
    109: ["mps"],
    # "The Mayor should quickly work with the Cabinet Office…": "This recommendation is
    # currently sitting with the Cabinet Office."
    110: ["cabinet-office", "mayor"],
    # "The Mayor, together with the police and London Councils should consider…"
    115: ["mayor", "mps", "london-councils"],
    # "There should be discussions with the insurance industry": the report's own "we", with
    # MOPAC overseeing the remaining recommendations for the Mayor (Introduction)
    116: ["mopac"],
    # Short-form CT advice: "Counter Terrorism Focus Desks are now able to deliver…"
    117: ["mps"],
    # Griffin training in shopping centres and airports: "Project Griffin self-delivery was
    # launched by NaCTSO … The MPS is continuing to engage with operators"
    119: ["nactso", "mps"],
    # Assessing existing buildings: "we will work, via the London CONTEST Board, with the MPS"
    # (the Board is chaired by the Deputy Mayor for Policing and Crime, 78)
    123: ["mopac", "mps"],
    # "discussed with the relevant authorities": "The Palace Authorities have confirmed that
    # … they will work closely with the MPS"
    124: ["palace", "mps"],
    # "The law should be changed…": firearms licensing law (the Firearms Act 1968) is the
    # Home Office's
    125: ["home-office"],
    # "appointing a Mayoral Adviser on resilience"
    126: ["mayor"],
}


_MODAL = re.compile(r"\b(?:should|must|needs? to)\b")
_AGENT = re.compile(r"\bshould\s+(?:also\s+)?be\s+\w+\s+by\s+(.+?)(?:\s+to\s|[,.;]|$)")
_PARTNER = re.compile(r"\bwork\s+with\s+(.+?)(?:\s+to\s|[,.;]|$)")


def owners_named_in(text: str) -> list[str]:
    """Keys of the organisations `text` names, in the order it first names them."""
    found: dict[str, int] = {}
    for key, spec in ORGANISATIONS.items():
        starts = [m.start() for p in spec.patterns for m in re.finditer(p, text)]
        if starts:
            found[key] = min(starts)
    return sorted(found, key=lambda key: (found[key], key))


def addressees(recommendation_text: str) -> list[str]:
    """The organisations a recommendation is addressed to, first named first.

    Those named before a sentence's "should" or "must" ("The Mayor and the Metropolitan
    Police Service should…"), the agent of a passive one ("…should be conducted by the MPS
    and airport management") and whom it should work with ("…should work with BTP").
    """
    keys: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", recommendation_text):
        modal = _MODAL.search(sentence)
        if not modal:
            continue
        named = owners_named_in(sentence[: modal.start()])
        for clause in (_AGENT, _PARTNER):
            match = clause.search(sentence, modal.start())
            if match:
                named += owners_named_in(match.group(1))
        for key in named:
            if key not in keys:
                keys.append(key)
    return keys


def owners_for(number: int, text: str, update_text: str) -> list[str]:
    """A recommendation's owners, lead first: its addressees; where it names nobody, the
    first organisation its update names; `OWNER_OVERRIDES` where either rule is wrong."""
    if number in OWNER_OVERRIDES:
        return list(OWNER_OVERRIDES[number])
    return addressees(text) or owners_named_in(update_text)[:1]


# --- The report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedRecommendation:
    """One recommendation as the progress report gives it."""

    number: int
    section: Section
    #: The recommendation as the Review worded it.
    text: str
    #: The October 2017 update; its paragraphs separated by a blank line.
    update_text: str
    status: Status
    #: Organisation keys (of `ORGANISATIONS`), the lead owner first.
    owners: list[str]
    #: Numbers of the recommendations it refers to or that refer to it, sorted.
    related: list[int]


def _blocks(paragraphs: list[str]) -> list[tuple[int, Section, list[str]]]:
    """(number, section, paragraphs after the "N." line) for each recommendation."""
    blocks: list[tuple[int, Section, list[str]]] = []
    section: Section | None = None
    for paragraph in paragraphs:
        number_line = _NUMBER_LINE.fullmatch(paragraph)
        if paragraph == MAYOR_HEADING:
            section = Section.MAYOR
        elif paragraph == OTHER_HEADING:
            section = Section.OTHER
        elif paragraph == END_HEADING:
            break
        elif section is not None and number_line:
            blocks.append((int(number_line.group(1)), section, []))
        elif blocks:
            blocks[-1][2].append(paragraph)
    return blocks


def parse_report(text: str) -> list[ParsedRecommendation]:
    """The report's recommendations in its order, page breaks healed.

    Raises ValueError unless it finds each of the 127 numbers exactly once, each with its
    recommendation text and at least one owner.
    """
    blocks = _blocks(heal_page_breaks(split_paragraphs(text)))
    numbers = sorted(number for number, _, _ in blocks)
    if numbers != list(range(1, RECOMMENDATION_COUNT + 1)):
        missing = sorted(set(range(1, RECOMMENDATION_COUNT + 1)) - set(numbers))
        duplicated = sorted({n for n in numbers if numbers.count(n) > 1})
        raise ValueError(
            f"expected recommendations 1–{RECOMMENDATION_COUNT} once each; "
            f"missing {missing}, duplicated {duplicated}"
        )

    # Every recommendation in this report is worded in one paragraph: the second paragraph
    # of each reports progress (checked by reading all 127).
    texts: dict[int, tuple[str, str]] = {}
    for number, _, block in blocks:
        if not block:
            raise ValueError(f"recommendation {number} has no text")
        texts[number] = (block[0], "\n\n".join(block[1:]))

    related: dict[int, set[int]] = {number: set() for number in numbers}
    for number, (rec_text, update_text) in texts.items():
        for other in cross_references(f"{rec_text}\n\n{update_text}") - {number}:
            related[number].add(other)
            related[other].add(number)

    parsed = []
    for number, section, _ in blocks:
        rec_text, update_text = texts[number]
        owners = owners_for(number, rec_text, update_text)
        if not owners:
            raise ValueError(f"recommendation {number} names no owner: add it to OWNER_OVERRIDES")
        parsed.append(
            ParsedRecommendation(
                number=number,
                section=section,
                text=rec_text,
                update_text=update_text,
                status=status_from_update(update_text),
                owners=owners,
                related=sorted(related[number]),
            )
        )
    return parsed
