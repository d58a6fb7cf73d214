#!/usr/bin/env python3
"""Writes iom-council.jsonl from the sourced facts in iom/ (see iom/README.md).

The file records what the IOM's record shows around its 110th Council session: the 173
member states on 2019-11-25 as an opening balance (the 2023 list of 175 less the Russian
Federation and Barbados), the Russian Federation's observer status since 1992, the 110th
session with the Director General's address, its three panels (only the World Migration
Report launch is dated in the press release: Wednesday 2019-11-27) and the approval of
Lebanon's application, the lapse of that approval when Lebanon's parliament rejected the
accession law, the 111th session's approval of the Russian Federation and its membership
from 2021-04-19, and Barbados admitted on 2022-11-30. No missing date is invented: the
resolution numbers are not in the sources, so decisions carry descriptive references.
"""
import csv
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "iom", "members.csv"), newline="", encoding="utf-8") as f:
    members_2023 = [row["iso3"] for row in csv.DictReader(f)]
assert len(members_2023) == 175
members_2019 = sorted(code for code in members_2023 if code not in ("RUS", "BRB"))
assert len(members_2019) == 173

commands = [
    {"command": "record_opening_balance", "date": "2019-11-25", "members": members_2019,
     "note": "173 member states addressed at the opening of the 110th Council (IOM press release, 2019-11-26)"},
    {"command": "grant_observer_status", "state": "Russian Federation", "date": "1992-05-27",
     "note": "observer from 1992-05-27 (TASS)"},
    {"command": "open_session", "body": "Council", "number": 110, "kind": "regular", "venue": "Geneva",
     "opening_date": "2019-11-26", "planned_closing_date": "2019-11-29"},
    {"command": "record_address", "session": "council-110", "date": "2019-11-26",
     "speaker": "António Vitorino", "office": "Director General",
     "title": "Address to the 173 member states at the opening of the session"},
    {"command": "schedule_panel", "session": "council-110", "date": "2019-11-27",
     "title": "Launch of the World Migration Report 2020"},
    {"command": "schedule_panel", "session": "council-110",
     "title": "Building Peace and Creating Conditions for Development: Internal Displacement, "
              "Stabilization and Reintegration of Migrants"},
    {"command": "schedule_panel", "session": "council-110", "title": "Mobility Dynamics in the Sahel"},
    {"command": "adopt_decision", "session": "council-110", "date": "2019-11-26",
     "reference": "Application of Lebanon", "title": "The Council accepted Lebanon's application for membership",
     "approves": ["Lebanon"]},
    {"command": "close_session", "session": "council-110", "date": "2019-11-29"},
    {"command": "close_application", "state": "Lebanon", "date": "2020-05-28", "outcome": "lapsed",
     "note": "Lebanon's parliament rejected the accession law; Lebanon never became a member"},
    {"command": "open_session", "body": "Council", "number": 111, "kind": "regular", "venue": "Geneva",
     "opening_date": "2020-11-24", "planned_closing_date": "2020-11-27"},
    {"command": "adopt_decision", "session": "council-111", "date": "2020-11-24",
     "reference": "Application of the Russian Federation",
     "title": "Admission approved: 116 for, 2 against, 2 abstentions", "approves": ["Russian Federation"]},
    {"command": "record_membership_effect", "state": "Russian Federation", "date": "2021-04-19",
     "note": "acceptance of the IOM Constitution handed to the Director General (TASS)"},
    {"command": "approve_application", "state": "Barbados", "date": "2022-11-30", "admit": True,
     "decision_ref": "113th Council", "note": "the 175th member state"},
]

with open(os.path.join(here, "iom-council.jsonl"), "w", encoding="utf-8") as out:
    out.write("# The IOM around its 110th Council session; made by make-iom-example.py from iom/.\n")
    for command in commands:
        out.write(json.dumps(command, ensure_ascii=False) + "\n")
