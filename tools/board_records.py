"""The boards' real records, read from the source documents in `fixtures/sources/`.

`board_organisations()` and `boards_fixture()` give the objects of `fixtures/
board_organisations.json` and `fixtures/boards.json` (`tools/build_boards_fixture.py`
writes them). Minute wording is taken from the sources, not retyped: the LCRB minutes'
numbered paragraphs and the CONTEST Board note's agenda items, with the PDF's page breaks
healed. What the sources do not say is chosen here, and each choice says why:

- Established dates. The London CONTEST Board: 10 March 2015, the day the LCRB agreed to
  create it as a new model (the sources give no date for its first meeting, aimed for May or
  June 2015). The CONTEST (London) board of March 2009 in the MPA report is an earlier, MPS-
  led board: it is the new board's background, not its start. The LCRB, the London
  Resilience Forum and the London Prevent Board: no date, because the sources give none
  (the Prevent board existed by 29 January 2009, the LCRB met on 15 September 2014).
- The actions reported at the CONTEST Board on 18 January 2017 were raised at a previous
  meeting the sources do not date; an Action must belong to the meeting that raised it, so
  they are recorded in that meeting's summary, each marked done, instead of inventing a
  meeting for them.
- Item 1 of 18 January 2017 (the Harris Review and the Local Government Review) links to
  recommendations 69 and 70: the part of the item specific enough to link is the review
  of local government resilience and emergency planning by the LRF's Local Authorities
  Panel, and cross-border working between boroughs; those are local resilience teams and the
  LRF's role (69) and sub-regional partnerships of local authorities with the LRF (70),
  whose update names that review's recommendations. "The findings in brief" cover the
  whole Review, and linking all 127 would say nothing. Item 2 (the CONTEST strategy
  refresh) links to recommendation 112, on the Home Office's revision of that strategy.
- LCRB Action 1 is done: the board it asked for exists and met on 18 January 2017. No source
  records which meeting closed it, so it has no closing meeting. Action 2 stays open: no
  source records its outcome.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

SOURCES = Path(__file__).resolve().parent.parent / "fixtures" / "sources"
LCRB_MINUTES = "lcrb-2015-03-10.txt"
CONTEST_NOTE = "contest-board-2017-01-18.txt"

# Board primary keys.
CONTEST, LCRB, LRF, PREVENT = 1, 2, 3, 4

#: Organisations the boards name, by slug (the natural key). Those the recommendations
#: fixture also has are spelt exactly as it spells them, since loading this fixture after
#: it updates their rows.
ORGANISATIONS: dict[str, tuple[str, str]] = {
    "city-of-london-corporation": ("City of London Corporation", ""),
    "cps": ("Crown Prosecution Service", "CPS"),
    "crc-london": ("London Community Rehabilitation Company", "CRC London"),
    "gla": ("Greater London Authority", "GLA"),
    "home-office": ("Home Office", ""),
    "lb-barnet": ("London Borough of Barnet", "LB Barnet"),
    "lb-lambeth": ("London Borough of Lambeth", "LB Lambeth"),
    "lb-waltham-forest": ("London Borough of Waltham Forest", "LB Waltham Forest"),
    "lb-wandsworth": ("London Borough of Wandsworth", "LB Wandsworth"),
    "london-councils": ("London Councils", ""),
    "moj": ("Ministry of Justice", "MoJ"),
    "mopac": ("Mayor's Office for Policing and Crime", "MOPAC"),
    "mps": ("Metropolitan Police Service", "MPS"),
    "nhs-england": ("NHS England", ""),
    "noms": ("National Offender Management Service", "NOMS"),
    "nps": ("National Probation Service", "NPS"),
    "probation": ("Probation", ""),
}

#: The LCRB minutes' attendance: (name, the source's second column, role, organisation).
#: Role and organisation split that column; a title in the name is the role where the
#: column gives none.
LCRB_MEMBERS = [
    ("Mayor Boris Johnson", "Chair", "Chair", "gla"),
    ("Stephen Greenhalgh", "DMPC, MOPAC", "DMPC", "mopac"),
    ("Helen Bailey", "COO, MOPAC", "COO", "mopac"),
    ("Marie Snelling", "Director, MOPAC", "Director", "mopac"),
    ("Rebecca Lawrence", "Director, MOPAC", "Director", "mopac"),
    (
        "Deputy Commissioner Craig Mackey",
        "Metropolitan Police Service (MPS)",
        "Deputy Commissioner",
        "mps",
    ),
    ("Nick Smart", "CEO, CRC London", "CEO", "crc-london"),
    ("John O'Brien", "CEO, London Councils", "CEO", "london-councils"),
    ("Mayor Jules Pipe", "London Councils", "Mayor", "london-councils"),
    ("Cllr Lib Peck", "LB Lambeth", "Councillor", "lb-lambeth"),
    ("Cllr Richard Cornelius", "LB Barnet", "Councillor", "lb-barnet"),
    ("Paul Martin", "CEO LB Wandsworth", "CEO", "lb-wandsworth"),
    ("Baljit Ubhey", "Crown Prosecution Service", "", "cps"),
    ("Lucy Bogue", "Ministry of Justice", "", "moj"),
    ("Joanne Murfitt", "NHS England", "", "nhs-england"),
    (
        "Martin Esom",
        "CEO Waltham Forest, Chair Prevent",
        "CEO Waltham Forest, Chair Prevent",
        "lb-waltham-forest",
    ),
    ("Kate Gilbert", "Probation", "", "probation"),
]
LCRB_OFFICERS = [
    ("Dan Hales", "MOPAC", "", "mopac"),
    ("Doug Flight", "London Councils", "", "london-councils"),
    ("Tony Hawker", "MOPAC", "", "mopac"),
]

#: The CONTEST strands, as London Councils' page on CONTEST heads them.
CONTEST_STRANDS = (
    "Pursue: to stop terrorist attacks\n"
    "Prevent: to stop people becoming terrorists or supporting terrorism\n"
    "Protect: to strengthen our protection against a terrorist attack\n"
    "Prepare: to mitigate the impact of a terrorist attack"
)

#: Recommendations the October 2017 progress report puts under the London CONTEST Board:
#: kept under review (13), overseen (32), considered (62, 115), discussed (78), shared with
#: it for scrutiny (106), worked on via it (123).
CONTEST_OVERSEES = [13, 32, 62, 78, 106, 115, 123]
#: Recommendations the report gives the London Resilience Forum (or its panels and
#: sub-groups) work on. Recommendations about local resilience forums in general (71, 120)
#: and borough forums (88) are not the London forum's.
LRF_OVERSEES = [1, 69, 70, 76, 78, 85, 87, 89, 92, 93, 95, 97, 98, 100, 103]

#: The CONTEST Board note's items have no titles, except 5 and 6; these are the secretariat's.
CONTEST_ITEMS = {
    1: ("Harris Review and Local Government Review", False, [69, 70]),
    2: ("CONTEST strategy refresh", False, [112]),
    3: ("Threat briefing", True, []),
    4: ("TACT offenders; extremism assessment and intervention", False, []),
    5: ("Prevent Board and Prevent Funding", False, []),
    6: ("Updates", False, []),
}

PROGRESS_REPORT = "Harris Review Progress Report – One Year On, October 2017"
BOLLARDS_MINUTE = (
    "The Deputy Mayor for Policing and Crime chaired the initial London CONTEST Board sub "
    "group and the MOPAC Chief Executive Officer is now chairing subsequent meetings to ensure "
    "appropriate steps are taken to agree what and how protective security measures should be "
    "made in the capital. "
    "This group has worked through the complexities of protecting some of our public spaces "
    "and prioritising locations by risk and vulnerability. It reported back to the London "
    "CONTEST Board on 20 October 2017 with a statement of principles, outlining how progress "
    "is being, and can continue to be made on the installation of protective bollards across "
    "London."
)


def read_source(name: str) -> str:
    return (SOURCES / name).read_text(encoding="utf-8")


def squash(text: str) -> str:
    """One paragraph on one line, single-spaced, as the tracker keeps minute text."""
    return " ".join(text.split())


def _heal(lines: list[str]) -> list[str]:
    """Join a paragraph the PDF cut at a page break with its continuation.

    A line that ends mid-sentence continues on the next, unless the next starts a new
    numbered paragraph: paragraph 5 of the LCRB minutes ends without a full stop.
    """
    healed: list[str] = []
    for line in lines:
        if (
            healed
            and not re.search(r"[.!?:)]$", healed[-1])
            and not re.match(r"\d+\. ", line)
            and not line.startswith("Action ")
        ):
            healed[-1] = f"{healed[-1]} {line}"
        else:
            healed.append(line)
    return healed


def lcrb_items(source: str) -> list[dict[str, Any]]:
    """The LCRB minutes' items: number, title, minute paragraphs (one a line) and actions."""
    body = source.split("Date of next LCRB meeting", 1)[0]
    parts = re.split(r"^ITEM (\d+)\W+(.+?)\.?$", body, flags=re.MULTILINE)
    items = []
    for number, title, text in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
        lines = _heal([squash(line) for line in text.splitlines() if line.strip()])
        items.append(
            {
                "number": int(number),
                "title": title.strip(),
                "minutes": "\n".join(line for line in lines if not line.startswith("Action ")),
                "actions": [
                    tuple(line.split(": ", 1)) for line in lines if line.startswith("Action ")
                ],
            }
        )
    return items


def contest_note(source: str) -> tuple[str, dict[int, str]]:
    """The CONTEST Board note's opening paragraph and each agenda item's text."""
    text = squash(source)
    opening, rest = text.split(" Agenda Item 1:", 1)
    opening = opening[opening.index("The London CONTEST Board meeting of") :]
    rest = "Agenda Item 1:" + rest.split(" The next meeting will be held", 1)[0]
    items = {}
    for number, item_text in re.findall(
        r"Agenda Item (\d+):\s*(.*?)(?= Agenda Item \d+:|$)", rest
    ):
        items[int(number)] = item_text.strip()
    return opening, items


def board_organisations() -> list[dict[str, Any]]:
    return [
        {
            "model": "recommendations.organisation",
            "fields": {"name": name, "acronym": acronym, "slug": slug},
        }
        for slug, (name, acronym) in ORGANISATIONS.items()
    ]


def _boards() -> list[dict[str, Any]]:
    def board(pk, **fields):
        defaults = {
            "short_name": "",
            "purpose": "",
            "remit": "",
            "background": "",
            "established_on": None,
            "chair": "",
            "members": [],
            "oversees": [],
        }
        fields = {**defaults, **fields}
        fields["members"] = [[slug] for slug in fields["members"]]
        return {"model": "boards.board", "pk": pk, "fields": fields}

    return [
        board(
            CONTEST,
            name="London CONTEST Board",
            short_name="CONTEST Board",
            slug="contest-board",
            chair="Deputy Mayor for Policing and Crime",
            established_on="2015-03-10",
            purpose=(
                "Political oversight and leadership of counter-terrorism work in London "
                "across the four strands of CONTEST, the government's counter-terrorism "
                "strategy. It links City Hall and London Councils, reports back to the London "
                "Crime Reduction Board and scrutinises the work of the MPS in relation to "
                "counter-terrorism. With MOPAC and the London Resilience Forum it oversees "
                "the Harris Review recommendations that remain open."
            ),
            remit=CONTEST_STRANDS,
            background=(
                "A report to the Metropolitan Police Authority of 29 January 2009 recorded "
                "that a CONTEST (London) board would commence in March 2009, its members to "
                "include MPS Territorial Policing and Specialist Operations, the Government "
                "Office for London, the Office for Security and Counter-Terrorism, the "
                "guardian forces (British Transport Police, MOD police and the City of London "
                "police) and local authorities' chief executives.\n"
                "On 10 March 2015 the London Crime Reduction Board agreed a new model for "
                "London: a London-wide CONTEST Board, separate from the LCRB and reporting "
                "back to it, co-chaired by the Deputy Mayor for Policing and Crime and the "
                "chair of London Councils, with attendees from the police, NOMS, Health and "
                "the Home Office. Its initial work would be to establish a new Prevent "
                "framework, supported by the London Prevent Board. Partners aimed to hold its "
                "first full meeting in May or June 2015.\n"
                "By January 2017 it was chaired by the Deputy Mayor for Policing and Crime, "
                "with members from MOPAC, the MPS, the Home Office, NHS England, the City of "
                "London, the National Probation Service and London Councils."
            ),
            members=[
                "mopac",
                "mps",
                "home-office",
                "nhs-england",
                "city-of-london-corporation",
                "nps",
                "london-councils",
            ],
            oversees=CONTEST_OVERSEES,
        ),
        board(
            LCRB,
            name="London Crime Reduction Board",
            short_name="LCRB",
            slug="lcrb",
            chair="Mayor of London",
            purpose=(
                "Collective leadership on reducing crime and reoffending in London: the "
                "Mayor, MOPAC, the MPS, London Councils and the boroughs with criminal "
                "justice, probation and health partners."
            ),
            background=(
                "Its minutes of 10 March 2015 approve those of its previous meeting, on 15 "
                "September (2014). On 10 March 2015 it agreed to create the London CONTEST "
                "Board, separate from the LCRB and reporting back to it. The sources do not "
                "say when the LCRB was set up."
            ),
            members=[
                "gla",
                "mopac",
                "mps",
                "crc-london",
                "london-councils",
                "lb-lambeth",
                "lb-barnet",
                "lb-wandsworth",
                "cps",
                "moj",
                "nhs-england",
                "lb-waltham-forest",
                "probation",
            ],
        ),
        board(
            LRF,
            name="London Resilience Forum",
            short_name="LRF",
            slug="lrf",
            purpose=(
                "Brings together all the key partners involved in London's resilience. With "
                "MOPAC and the London CONTEST Board it oversees the Harris Review "
                "recommendations that remain open; its panels and groups (business, faith, "
                "voluntary sector, training and exercise, the River Group on the Thames) carry "
                "out several of them."
            ),
            background=(
                "The Deputy Mayor for Policing and Crime, the Deputy Mayor for Transport and "
                "other Deputy Mayors attend special meetings of the LRF, for political "
                "oversight (progress report, October 2017, recommendation 97)."
            ),
            oversees=LRF_OVERSEES,
        ),
        board(
            PREVENT,
            name="London Prevent Board",
            slug="london-prevent-board",
            chair="Martin Esom, CEO Waltham Forest (March 2015)",
            purpose=(
                "A partnership board of key London (and a few national) agencies for Prevent. "
                "In March 2015 the LCRB described it as a tactical board covering the 17 "
                "priority boroughs, commissioned from the centre and engaging directly with "
                "local government, without comprehensive oversight of all areas of the "
                "CONTEST strategy."
            ),
            remit="Prevent: to stop people becoming terrorists or supporting terrorism",
            background=(
                "Already set up when the MPS reported on its delivery of Prevent to the "
                "Metropolitan Police Authority on 29 January 2009. On 10 March 2015 the LCRB "
                "agreed that it would support the new London CONTEST Board's initial work, a "
                "new Prevent framework. The London CONTEST Board heard an update on the "
                "Prevent Board and Prevent funding on 18 January 2017."
            ),
        ),
    ]


def _meeting(pk, board, date, **fields):
    defaults = {
        "time": None,
        "place": "",
        "chair": "",
        "status": "held",
        "minutes_status": "published",
        "summary": "",
        "source": "",
    }
    return {
        "model": "boards.meeting",
        "pk": pk,
        "fields": {"board": board, "date": date, **defaults, **fields},
    }


def boards_fixture() -> list[dict[str, Any]]:
    """Every object of `fixtures/boards.json`, in loading order, with stable primary keys."""
    lcrb = lcrb_items(read_source(LCRB_MINUTES))
    opening, contest_items = contest_note(read_source(CONTEST_NOTE))

    meetings = [
        _meeting(
            1,
            LCRB,
            "2015-03-10",
            time="15:30:00",
            place="Mayor's Office, City Hall, GLA",
            chair="Mayor Boris Johnson",
            summary=(
                "The Board agreed to create a London-wide CONTEST Board (item 3, Action 1) "
                "and that London Councils and MOPAC lead the work on public service reform "
                "(item 4, Action 2)."
            ),
            source="London Crime Reduction Board, minutes of meeting, 10 March 2015",
        ),
        _meeting(
            2,
            LCRB,
            "2015-06-09",
            time="12:00:00",
            place="City Hall",
            status="scheduled",
            minutes_status="draft",
            source="Date of next LCRB meeting, in the minutes of 10 March 2015",
        ),
        _meeting(
            3,
            CONTEST,
            "2017-01-18",
            chair="Deputy Mayor for Policing and Crime",
            summary=(
                f"{opening}\n"
                "Actions from the previous meeting, reported done: the ‘London at Critical’ "
                "meeting briefing paper was circulated to Council Leaders; NHS England "
                "summarised the current position on the Health Service referral process."
            ),
            source="London CONTEST Board meeting note, 18 January 2017",
        ),
        _meeting(
            4,
            CONTEST,
            "2017-04-21",
            status="scheduled",
            minutes_status="draft",
            source="Next meeting date, in the London CONTEST Board meeting note of 18 "
            "January 2017",
        ),
        _meeting(
            5,
            CONTEST,
            "2017-10-20",
            summary=(
                "The London CONTEST Board sub group on protective security reported back "
                "with a statement of principles on the installation of protective bollards "
                "across London. The progress report of October 2017 (recommendation 32) is "
                "the only record of this meeting held here."
            ),
            source=f"{PROGRESS_REPORT}, recommendation 32",
        ),
    ]

    attendance = []
    people = [(row, "member") for row in LCRB_MEMBERS] + [
        (row, "officer") for row in LCRB_OFFICERS
    ]
    for order, ((person, _column, role, organisation), kind) in enumerate(people, start=1):
        attendance.append((1, person, role, organisation, kind, order))
    attendance += [
        (3, "Deputy Mayor for Policing and Crime", "Chair", "mopac", "member", 1),
        (3, "Guest speaker from NOMS", "Guest speaker", "noms", "guest", 2),
    ]

    items = []
    item_pk = 0
    item_pks: dict[tuple[int, int], int] = {}
    for item in lcrb:
        item_pk += 1
        item_pks[(1, item["number"])] = item_pk
        items.append((item_pk, 1, item["number"], item["title"], item["minutes"], False, []))
    for number, (title, confidential, recommendations) in CONTEST_ITEMS.items():
        item_pk += 1
        minutes = contest_items[number]
        if minutes.startswith(f"{title}."):
            minutes = minutes[len(title) + 1 :].strip()
        items.append((item_pk, 3, number, title, minutes, confidential, recommendations))
    item_pk += 1
    items.append(
        (
            item_pk,
            5,
            1,
            "Protective security: statement of principles on protective bollards",
            BOLLARDS_MINUTE,
            False,
            [32],
        )
    )

    actions_raised = {
        ref: (item["number"], text) for item in lcrb for ref, text in item["actions"]
    }
    action_details = {
        "Action 1": {
            "owners": ["mopac", "mps", "london-councils", "nhs-england", "moj", "home-office"],
            "due_date": "2015-06-30",  # "the first full CONTEST board in May or June 2015"
            "status": "done",
        },
        "Action 2": {"owners": ["london-councils", "mopac"], "due_date": None, "status": "open"},
    }

    objects = _boards() + meetings
    for pk, (meeting, person, role, organisation, kind, order) in enumerate(attendance, start=1):
        objects.append(
            {
                "model": "boards.attendance",
                "pk": pk,
                "fields": {
                    "meeting": meeting,
                    "person": person,
                    "role": role,
                    "organisation": [organisation],
                    "kind": kind,
                    "present": True,
                    "order": order,
                },
            }
        )
    for pk, meeting, number, title, minutes, confidential, recommendations in items:
        objects.append(
            {
                "model": "boards.agendaitem",
                "pk": pk,
                "fields": {
                    "meeting": meeting,
                    "number": number,
                    "title": title,
                    "minutes": minutes,
                    "confidential": confidential,
                    "recommendations": recommendations,
                },
            }
        )
    for pk, reference in enumerate(sorted(action_details), start=1):
        item_number, text = actions_raised[reference]
        details = action_details[reference]
        objects.append(
            {
                "model": "boards.action",
                "pk": pk,
                "fields": {
                    "meeting": 1,
                    "reference": reference,
                    "text": text,
                    "agenda_item": item_pks[(1, item_number)],
                    "owners": [[slug] for slug in details["owners"]],
                    "due_date": details["due_date"],
                    "status": details["status"],
                    "closed_at": None,
                    "carried_from": None,
                    "confidential": False,
                    "recommendations": [],
                },
            }
        )
    return objects
