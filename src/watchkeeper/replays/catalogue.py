"""Every case in the shared learning documents, as a replay. Cases whose safeguards are not built yet are
listed with the safeguards they will show, and are not runnable (`watchkeeper replay --list` says which)."""

from __future__ import annotations

from watchkeeper.replays import (
    assurance_lessons,
    bulletin28,
    bulletin28_cases,
    bulletin31,
    conflict_lessons,
    disclosure_lessons,
    essex,
    flow,
    issue41,
    referral_lessons,
    risk_lessons,
    victim_lessons,
)
from watchkeeper.replays.engine import Replay

B28 = "bulletin-28-protecting-vulnerable-people-2016-11.txt"
B31 = "bulletin-31-general-2017-12.txt"
I41 = "issue-41-case-2-call-handling-2022-11.txt"
ESSEX = "recommendation-essex-2019-127918.txt"

REPLAYS: tuple[Replay, ...] = (
    Replay(
        "bulletin-28-case-1", "B28.1", "Fatal shooting following marriage breakdown",
        ("C1", "M1", "M4", "L7", "C8", "L8"),
        B28,
        ("he was a certified firearms holder with access to weapons",
         "The control room asked an officer to make a referral to the firearms licensing unit, but he did not "
         "complete this",
         "The logs for both reports were merged despite the fact that they were from two parties with separate "
         "allegations",
         "The second incident related to an allegation that the ex-husband was refusing to return the woman's "
         "passport",
         "behaviour that may appear routine in isolation, but that could be classified as coercive control when "
         "viewed in a wider context",
         "Flags have been added to profiles on the computer system to identify addresses where firearms are held"),
        bulletin28.case_1, planned=("R2", "R4"),
    ),
    Replay("bulletin-28-case-2", "B28.2", "Contact with the police before a woman's murder",
           ("M1", "R4", "R5", "R6", "P3", "P6"), B28,
           ("refused to meet the officer or to complete a DASH risk assessment",
            "A domestic violence marker was placed on her address",
            "Ten days later, the original caller contacted police to say that the man had assaulted the woman",
            "A referral was made to the multi-agency risk assessment conference (MARAC)",
            "it was agreed that the police would be the primary contact",
            "he performed a dynamic risk assessment, but did not write it down"),
           victim_lessons.case_2),
    Replay(
        "bulletin-28-case-3", "B28.3", "Safeguarding a vulnerable man", ("L8", "C4", "M3", "D3", "L10"), B28,
        ("He told officers that he was worried about his son being held against his will",
         "The call taker graded the call as a fixed appointment rather than following force policy",
         "He was subsequently bailed with the conditions to stay away from the man and his address",
         "The call was graded for a response within an hour",
         "No units were able to attend due to a high demand on resources",
         "After being told that he was no longer there, he closed the call and marked it as resolved, advising "
         "the man that no units would attend"),
        bulletin28.case_3,
    ),
    Replay(
        "bulletin-28-case-4", "B28.4", "Missing following leave from hospital", ("L9", "C6", "L11", "D1"), B28,
        ("How are logs reviewed where they have been accepted automatically by the computer system",
         "the grading and categorisation of the call remained unchanged",
         "Police did not call the hospital back after either call",
         "re-classified the man as a medium-risk missing person",
         "he was re-graded as a high-risk missing person"),
        bulletin28.case_4, planned=("C3", "P9"),
    ),
    Replay(
        "bulletin-28-case-5", "B28.5", "Concern for welfare", ("C1", "C7", "L10", "L8", "P11"), B28,
        ("sent an email to the force that covered the area where the woman lived, asking them to check it as a "
         "concern for welfare",
         "Earlier in the year the woman had made a series of calls to her local force. These were coded as "
         "domestic incidents, but no crime was reported",
         "a series of incident logs were opened and closed over a three-day period without the woman or her "
         "children having been contacted or located",
         "failed to make appropriate links to previous logs",
         "The officer in the neighbouring force had provided the woman's current address in his email, but the "
         "woman's local force used the address held for her on its computer system"),
        referral_lessons.case_5, planned=("P6", "P9"),
    ),
    Replay("bulletin-28-case-6", "B28.6", "Investigation of sexual assault on a minor",
           ("P1", "P2"), B28,
           ("the CID officer moved to work on a major operation. He did not hand the investigation over",
            "no supervisory reviews were ever carried out on the case",
            "He did not hand over the supervision of this case to his successor",
            "stated that it was in progress despite there being no evidence of any progress having been made"),
           bulletin28_cases.case_6),
    Replay("bulletin-28-case-7", "B28.7", "Acting on intelligence",
           ("P7", "R7", "A5"), B28,
           ("Sixteen months later, CEOP referred this intelligence, named Operation Spade, to police forces across "
            "the UK",
            "safeguarding issues did not apply as the checks had not identified any children living at his address. "
            "Therefore, he was deemed a low-risk referral",
            "working through the list, which was not in any order of priority",
            "emailed supervisors to say that they were struggling with the volume of work",
            "the DBS check revealed that the man who had been found to have bought four items was a teacher",
            "The officers conducted a risk assessment with the man and provided him with information about support. "
            "He was found dead the following day.",
            "the requirement for an officer to be allocated to take charge of an investigation once it has been "
            "referred to the POLIT"),
           referral_lessons.case_7),
    Replay("bulletin-28-case-8", "B28.8", "Disclosure of information to a victim",
           ("L2", "P5", "P8", "P4"), B28,
           ("The officer noted in his note book that the woman answered yes to three risk areas",
            "This differed from the entry in his note book identifying three risks.",
            "A supervisor decided that the man should be bailed pending further investigation, with conditions "
            "not to go to the woman's address.",
            "Because of a typing error in the email address, the message was not delivered.",
            "However, the woman said that she never received the voicemail.",
            "The force did not consider informing the woman about her ex-partner's previous criminal history, "
            "despite their power to do so."),
           disclosure_lessons.case_8),
    Replay(
        "bulletin-31-case-1", "B31.1", "Request for assistance",
        ("L5", "L6"), B31,
        ("the caller agreed to call back if officers were not required",
         "Based solely on the information verbally communicated to her by the dispatcher",
         "authorised an incident response downgrade"),
        bulletin31.case_1,
    ),
    Replay(
        "bulletin-31-case-2", "B31.2", "Response to welfare concerns",
        ("L1", "L3", "L4", "L6", "L10"), B31,
        ("marked the incident as ready to close down on the system",
         "thought the caller's request for an ambulance was made as a throwaway comment",
         "another RDO closed down the log as per the instruction given previously",
         "she simply deleted it from the system"),
        bulletin31.case_2,
    ),
    Replay(
        "bulletin-31-case-3", "B31.3", "Safeguarding a vulnerable young person", ("L11",), B31,
        ("one of the officers told the girl that they would check back in an hour",),
        bulletin31.case_3, planned=("C2",),
    ),
    Replay(
        "bulletin-31-case-4", "B31.4", "Abuse of position", ("A2",), B31,
        ("This police file included warning markers, identifying her as being vulnerable because of her history "
         "as a victim of domestic abuse",
         "the woman called the officer to report that she had received a number of abusive calls from her "
         "ex-partner",
         "The officer then called her personal phone number six times over the following three weeks",
         "the later calls were said to have been largely social and unrelated to her case",
         "the officer's first email was related to the woman's case",
         "the officer had viewed the woman's police file on three separate occasions while he was in contact with "
         "her",
         "Would force systems or supervisory practices enable your force to spot where officers were having "
         "excessive face-to-face or email contact"),
        assurance_lessons.case_4,
    ),
    Replay("bulletin-31-case-5", "B31.5", "Recognising conflicts of interest", ("P10",), B31,
           ("the PPU officer realised that the father and his wife were neighbours of a close friend",
            "The PPU officer discussed this with a colleague. They agreed that there was no conflict of interest.",
            "There was no policy in place to oblige the officer to raise the matter with a senior officer.",
            "At the beginning of the meeting, the PPU officer said that she knew the family and this was recorded "
            "in the minutes.",
            "Following the meeting, the PPU officer allocated the case to another officer to follow up and had no "
            "further involvement with the case.",
            "It will also emphasise the role of the officer's senior management team to assess if it is "
            "appropriate for the officer to be involved."),
           conflict_lessons.case_5),
    Replay(
        "bulletin-31-case-6", "B31.6", "Suicide of indecent images suspect", ("R7", "R6", "P11"), B31,
        ("The officer did not complete a risk assessment or record a rationale about the plan for making contact "
         "with the man",
         "Suicide risk assessments are always required to be completed for CSE and IIOC suspects/offenders",
         "How does your force manage the risk to suspects who are outside the force's area?"),
        risk_lessons.case_6,
    ),
    Replay("bulletin-31-case-7", "B31.7", "Getting bail conditions right", ("P8",), B31,
           ("Bail conditions restricted him from being in the place of the incident, which was his place of work.",
            "He was also not permitted to be involved in trade union activity or attend organised strike action "
            "until the case finished.",
            "Four days later, the man's solicitor made representations on the proportionality of the bail "
            "conditions. These were then amended.",
            "it was concluded that the bail conditions had been overly restrictive and disproportionate"),
           disclosure_lessons.case_7),
    Replay(
        "issue-41-case-2", "I41.2", "Failure to identify risks to protect a victim of domestic abuse",
        ("M2", "L8", "C1", "C3", "C4", "D5", "L12", "D2", "D1", "C5"), I41,
        ("asked to speak to an officer she had dealt with previously",
         "the officer he emailed took an unexpected long-term absence from work and did not see the email for a "
         "further four months",
         "because this call was transferred via the switchboard, no further information about this call was "
         "available",
         "a bit of a domestic violence case last year",
         "Call handler C coded the call as 'suspicious circumstances' which had a response time of 60 minutes",
         "it would be allocated an immediate response time of 15 minutes",
         "It was determined by an officer this could be deleted",
         "Ms A was not contacted about this decision",
         "Furthermore, no intelligence checks were conducted at the time of Ms A's call",
         "it would have revealed seven intelligence logs in relation to Ms A",
         "Mr D only circulated the first line on the Computer Aided Dispatch (CAD) which was '*someone's buzzing "
         "at my door, don't know who it is*'",
         "While enroute, they volunteered to attend another incident with a higher grading",
         "Dispatch officer D assigned PC F and PC G to the newer call but believed they would attend both calls",
         "When a dispatch operator re-assigns a unit to an alternative CAD, the original CAD must be tagged with a "
         "divert tag",
         "They will review available response units and task dispatch staff to identify an available unit",
         "there was no prompt on the CAD system to alert a user if a call was nearing the target time",
         "The original unit tasked to attend Ms A's address was diverted to another incident. No other units "
         "attended, and the target response time of 60 minutes was missed"),
        issue41.case_2,
    ),
    Replay(
        "recommendation-essex", "REC-ESSEX", "Essex recommendation record", ("C9", "M3", "C5"), ESSEX,
        ("Essex Police received a series of abandoned 999 from a woman who was noted as a high-risk victim of "
         "domestic abuse",
         "The call handler identified the likely location and officers were dispatched to the caller",
         "the attending officers requested no Police National Computer or other checks on the parties involved",
         "Such checks which would have highlighted that the perpetrator was subject to a Domestic Violence "
         "Protection Order which prohibited contact with the victim",
         "clear direction about who has responsibility for updating incident headers where an incident is "
         "initially categorised as an abandoned 999 call",
         "including a review of the informal process to call abandoned callers back three times, as this may "
         "heighten the risk to victims of domestic abuse"),
        essex.case, planned=("K2",),
    ),
    # The risk parts of B28.4 (its other safeguards are shown by bulletin-28-case-4 above).
    Replay(
        "bulletin-28-case-4-missing", "B28.4", "Missing following leave from hospital: the missing-person record",
        ("C6", "P9"), B28,
        ("Police did not call the hospital back after either call",
         "Not using their powers to force entry meant that the man's house was not ruled out as a place where he "
         "might be",
         "he was re-graded as a high-risk missing person"),
        risk_lessons.case_4_missing,
    ),
    # The risk assessment of B28.1 (its other safeguards are shown by bulletin-28-case-1 above).
    Replay(
        "bulletin-28-case-1-risk", "B28.1", "Fatal shooting following marriage breakdown: the risk assessment",
        ("R2", "R4"), B28,
        ("behaviour that may appear routine in isolation, but that could be classified as coercive control when "
         "viewed in a wider context",),
        risk_lessons.case_1_risk,
    ),
)


# Cases of the team's own, beyond the shared documents: one failure the lessons share, acted out on situations,
# phrasings and people nobody tuned for. They carry no lesson code (`document` is empty), so traceability (K4),
# which maps lessons to safeguards, does not list them; `watchkeeper replay` runs them with the rest.
EXERCISES: tuple[Replay, ...] = (
    Replay(
        "two-calls-three-weeks", "", "What the system knows travels with the log: two calls three weeks apart",
        ("C1", "C2", "C3", "C5", "M3", "M4", "D5", "L11", "L12", "L10", "M2", "D1", "L8"), "", (), flow.case,
    ),
)


def every() -> tuple[Replay, ...]:
    """The lesson cases, then the team's own exercises."""
    return REPLAYS + EXERCISES


def get(name: str) -> Replay:
    for r in every():
        if r.name == name:
            return r
    raise KeyError(name)
