"""A corpus for the PHI guard: sentences in the way clinicians write on the portal, each of
which must be flagged (with the kind it must be flagged as), and clinical and technical
sentences close to them that must not be.

`python -m tests.informatics.phi_corpus` prints recall and false alarms, e.g.
"flagged: 62/63 (98.4 %), false alarms: 0/61".
"""

from dataclasses import dataclass

from informatics.choices import PhiKind

ZWSP = "\u200b"  # zero-width space
ZWJ = "\u200d"  # zero-width joiner
WJ = "\u2060"  # word joiner
SHY = "\u00ad"  # soft hyphen
BOM = "\ufeff"
EN = "\u2013"  # en dash
EM = "\u2014"  # em dash
NBH = "\u2011"  # non-breaking hyphen
HYPHEN = "\u2010"
FIGURE = "\u2012"  # figure dash
MINUS = "\u2212"
FW_HYPHEN = "\uff0d"  # fullwidth hyphen-minus

# Each sentence must be flagged as (at least) this kind.
FLAGGED: list[tuple[str, PhiKind]] = [
    # MRN, however it is typed
    ("Order set fired twice for MRN 4412897 on 4 West.", PhiKind.MRN),
    ("Duplicate chart suspected, MRN4412897 and MRN4412898 were merged.", PhiKind.MRN),
    (f"Sepsis alert did not fire for MRN 441{ZWSP}2897 overnight.", PhiKind.MRN),
    (f"Please look at MRN{ZWSP} 4412897, the BPA showed twice.", PhiKind.MRN),
    ("Wrong-patient order on ＭＲＮ ４４１２８９７ during downtime.", PhiKind.MRN),
    ("Label printer cut off ＭＲＮ 4412897 on the wristband.", PhiKind.MRN),
    (f"MRN 44{SHY}12{WJ}897 was registered twice by ED registration.", PhiKind.MRN),
    ("Medical record number: 00123456 appears on the printed AVS.", PhiKind.MRN),
    ("Allergy list wiped for mrn#4412897 after the upgrade.", PhiKind.MRN),
    (f"MRN{EN}4412897 got the wrong diet order.", PhiKind.MRN),
    ("The MAR for Medical Record Number (MRN) 4412897 shows a gap.", PhiKind.MRN),
    ("MRN: 8831204 had the heparin drip charted twice.", PhiKind.MRN),
    ("Pt with MR# 772314 was bounced between units.", PhiKind.MRN),
    (f"{BOM}MRN 4412897 is missing from the census list.", PhiKind.MRN),
    # Date of birth
    ("The banner shows DOB 3/4/61 but the wristband does not.", PhiKind.DOB),
    ("Registration entered date of birth 1961-03-04 as 1916.", PhiKind.DOB),
    (f"DOB 03{EN}04{EN}1961 rejected by the interface.", PhiKind.DOB),
    (f"D.O.B.{ZWSP} 3.4.1961 did not cross to the lab system.", PhiKind.DOB),
    ("The child born on March 4, 2019 was double-registered in the NICU.", PhiKind.DOB),
    ("DOB：０３/０４/１９６１ on the fax cover sheet.", PhiKind.DOB),
    ("Birthdate 12/31/1948 printed on the public whiteboard.", PhiKind.DOB),
    # Phone numbers
    ("Family asked to be called back at 555-201-3344 after rounds.", PhiKind.PHONE),
    (f"Daughter's cell is 555{EN}201{EN}3344, please update the contact.", PhiKind.PHONE),
    (f"Pt's wife can be reached at 555{NBH}201{NBH}3344.", PhiKind.PHONE),
    (f"Callback number (555) 201{EM}3344 was put in the comment field.", PhiKind.PHONE),
    (f"Home phone 555{HYPHEN}201{HYPHEN}3344 crossed into the wrong chart.", PhiKind.PHONE),
    (f"Son's number 555{FIGURE}201{FIGURE}3344 is in the sticky note.", PhiKind.PHONE),
    (f"Text the caregiver at 555{MINUS}201{MINUS}3344.", PhiKind.PHONE),
    (f"Reach the family at 555{FW_HYPHEN}201{FW_HYPHEN}3344.", PhiKind.PHONE),
    ("Sister's number +1 555.201.3344 is wrong in demographics.", PhiKind.PHONE),
    (f"Callback 555{ZWSP}-201-3344 per the nurse's note.", PhiKind.PHONE),
    # SSN
    ("Registration keyed SSN 123-45-6789 into the comment box.", PhiKind.SSN),
    (f"SSN 123{EN}45{EN}6789 shows in the insurance note.", PhiKind.SSN),
    (f"The scanned card shows 123{NBH}45{NBH}6789 in plain text.", PhiKind.SSN),
    ("Social security number 123 45 6789 was read aloud at the desk.", PhiKind.SSN),
    (f"Guarantor SSN: 123{EM}45{EM}6789 copied into the free text.", PhiKind.SSN),
    ("Patient SSN 123456789 was typed into the allergy comment.", PhiKind.SSN),
    # E-mail
    ("Daughter asked for updates at jane.doe@example.org.", PhiKind.EMAIL),
    ("Pt's e-mail jane.doe＠example.org was added to the portal invite.", PhiKind.EMAIL),
    ("Send the results to ｊａｎｅ＠ｅｘａｍｐｌｅ．ｏｒｇ per the family.", PhiKind.EMAIL),
    (f"Proxy access request from j.roe{ZWSP}@mail.example.com.", PhiKind.EMAIL),
    # Names after a clinical cue
    ("Pt John Smith in bed 4 had a fall last night.", PhiKind.NAME),
    ("pt. Maria Lopez was discharged before the med rec was done.", PhiKind.NAME),
    ("Patient John was transferred to 5 East without the drip.", PhiKind.NAME),
    ("patient named Jane Roe got the wrong diet tray.", PhiKind.NAME),
    ("The pt, Robert Johnson, refused the second dose.", PhiKind.NAME),
    ("Pts Maria Lopez and Jane Roe both had the alert fire.", PhiKind.NAME),
    ("Mr Smith fell on the way to the bathroom.", PhiKind.NAME),
    ("Mr. Foley asked why his discharge was delayed.", PhiKind.NAME),
    ("Mrs. Garcia waited four hours for a bed.", PhiKind.NAME),
    ("Ms Nguyen's insulin was held twice.", PhiKind.NAME),
    ("Mx. Taylor Brooks was registered under the wrong sex.", PhiKind.NAME),
    ("Name: Jane Roe, room 12, needs a sitter.", PhiKind.NAME),
    ("Patient name: Roe, Jane — please fix the duplicate.", PhiKind.NAME),
    ("Patient Will Smith was listed twice on the board.", PhiKind.NAME),
    ("ＭＲ． Smith left AMA before the CT.", PhiKind.NAME),
    (f"Pt{ZWSP} David Kim had two active heparin orders.", PhiKind.NAME),
    # Names next to another identifier
    ("Jane Roe MRN 4412897 was rejected by the import.", PhiKind.NAME),
    ("John Smith DOB 3/4/1961 shows twice in the ADT feed.", PhiKind.NAME),
    ("Linda Martinez, 555-201-3344, called about her results.", PhiKind.NAME),
    ("MRN 4412897 Jane Roe was merged into the wrong record.", PhiKind.NAME),
    ("Contact Michael Brown (michael.brown@example.org) about the claim.", PhiKind.NAME),
    ("Susan Clark's MRN 8831204 prints on the wrong label.", PhiKind.NAME),
    ("Jane Roe (DOB 3/4/61) was double-booked in the infusion center.", PhiKind.NAME),
    # More names after a cue: other spellings and orders
    ("Patient: SMITH, JOHN in 12B has two active encounters.", PhiKind.NAME),
    ("Patient name: Roe, Jane, needs the duplicate merged.", PhiKind.NAME),
    ("Pt. José Hernández needs a Spanish interpreter for consent.", PhiKind.NAME),
    ("Mrs O’Brien refused the flu shot but the BPA kept firing.", PhiKind.NAME),
    ("The pt (Maria Lopez) had two allergy lists after the merge.", PhiKind.NAME),
    ("patient Angela McDonald was roomed without vitals.", PhiKind.NAME),
    ("Pt is John Smith, 67M, with CHF, readmitted within 30 days.", PhiKind.NAME),
    ("Patient Jane M. Doe was admitted twice the same night.", PhiKind.NAME),
    # Written all in lower case: not recognised (see the guard's docstring).
    ("pt john smith fell in bed 4 overnight.", PhiKind.NAME),
]

CLEAN: list[str] = [
    # Clinicians
    "Dr. Patel asked for the order set to default to weight-based dosing.",
    "Dr Jane Smith chairs the sepsis workgroup.",
    "Dr. Maria Lopez reviewed the build in the test environment.",
    "Nurse Kim reported that the scanner times out on 4 West.",
    "Discussed with Dr. Nguyen and the pharmacy lead on Tuesday.",
    "Request from Jane Smith, RN, nurse educator on 5 East.",
    "Dr Garcia, MD approved the new insulin protocol.",
    "Ask the PT and OT teams about the mobility flowsheet.",
    # Eponyms and scores
    "Parkinson's patients miss doses when the MAR times are rounded.",
    "The Foley catheter reminder fires after 48 hours.",
    "Add the Apgar score to the delivery summary.",
    "Glasgow Coma Scale is missing from the neuro flowsheet.",
    "Cushing's workup order panel needs the dexamethasone timing.",
    "Patient with Parkinson's disease needs timed carbidopa doses.",
    "The Braden score and Morse Fall Scale should print on the handoff.",
    "Kawasaki disease order set still lists the old IVIG dose.",
    "Wells criteria calculator gives a different score than MDCalc.",
    # Products and vendors
    "Epic upgrade moves the BPA to the storyboard.",
    "Cerner interface drops the allergy reaction field.",
    "Haiku and Rover both crash when scanning wristbands.",
    "Dragon dictation inserts the wrong template in notes.",
    "Vocera badges do not ring for the rapid response page.",
    "Patient Portal messages are routed to the wrong pool.",
    "The Patient Safety Committee reviews falls every month.",
    "Patient Experience scores dropped after the kiosk change.",
    "Patient Access staff need a new registration workqueue.",
    "The Patient Care Summary report runs every morning.",
    "patient Safety huddle notes are stored on the shared drive.",
    # Numbers that are not identifiers
    "Ticket INC0012345 was closed without a fix.",
    "See change request CHG0044128 for the rollback plan.",
    "Order 4412897 was cancelled by the interface.",
    "Room 12 and bed 4 are swapped on the census board.",
    "The upgrade went live on 03/04/2024 at 02:00.",
    "Since the 3/4 upgrade, the alert fires twice.",
    "Go-live is 2025-06-01 for the ambulatory sites.",
    "The policy was born in 1961 and never revised.",
    "Version 2.3.1 fixed the rounding bug.",
    "Call the help desk at x4412 for printer issues.",
    "Page the on-call informaticist at ext. 4412.",
    "Dose 0.5 mg q6h, 2-3 times a day.",
    "Order set v12-2024-03 is retired.",
    f"Heparin 5000 units q8h {EN} check the aPTT at 6 hours.",
    f"The 2019{EN}2024 data show a drop in CLABSI.",
    "Batch 5552013344 failed in the nightly job.",
    "Build 1555-201-33445 is in the test environment.",
    "The MRN field is blank on the transfer form.",
    "Add a column for the MRN and the DOB to the report.",
    "Q4 2024 falls were down 20 %.",
    "The default of 20 a day is too high.",
    "Ratio 1:2 staffing on 4 West overnight.",
    "Name: Sepsis Bundle Compliance dashboard.",
    "Display name: Patient Portal Activation.",
    "The pt was seen by Dr. Patel at 0800.",
    "Pt tolerated the procedure; no complications.",
    "The patient was transferred to ICU at 2300.",
    f"Zero{ZWSP}width characters broke the interface mapping.",
    "ＥＰＩＣ build ticket ＩＮＣ００１２３４５ is in review.",
    "Contact the Epic analyst team via the service desk form.",
    "The stubborn 3/4/61 build issue is back.",
    "Mark the order as complete after the Foley is removed.",
    "Will the new workflow apply to May admissions?",
    "Grace period for the attestation ends June 30.",
    "Parkinson’s disease order panel needs the timed doses.",
    "Patient Transport was delayed again on nights.",
    "Patient Flow Center asked for a bed-board filter.",
    "Discussed at the Patient Family Advisory Council in May.",
    "Patient Education materials are outdated in Spanish.",
    "The PT eval was documented by Sarah Lee, PT, at 1400.",
    "Harris-Benedict equation is missing in the nutrition note.",
    "Patient Apgar and Glasgow scores do not print on the summary.",
    "Name: Epic Haiku crash on login.",
    "Patients Epic MyChart activation rate is 61 %.",
]


@dataclass(frozen=True)
class CorpusResult:
    """How the guard did on the corpus: the sentences it missed and the clean ones it flagged."""

    missed: list[tuple[str, PhiKind]]
    false_alarms: list[str]

    @property
    def flagged(self) -> int:
        return len(FLAGGED) - len(self.missed)

    @property
    def recall(self) -> float:
        return self.flagged / len(FLAGGED)

    def summary(self) -> str:
        return (
            f"flagged: {self.flagged}/{len(FLAGGED)} ({self.recall:.1%}), "
            f"false alarms: {len(self.false_alarms)}/{len(CLEAN)}"
        ).replace("%", " %")


def corpus_run() -> CorpusResult:
    from informatics.phi import phi_scan

    missed = [
        (text, kind) for text, kind in FLAGGED if kind not in {f.kind for f in phi_scan(text)}
    ]
    false_alarms = [text for text in CLEAN if phi_scan(text)]
    return CorpusResult(missed=missed, false_alarms=false_alarms)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "informatics.settings")
    django.setup()
    result = corpus_run()
    print(result.summary())
    for text, kind in result.missed:
        print(f"missed ({kind.label}): {text!r}")
    for text in result.false_alarms:
        print(f"false alarm: {text!r}")
