"""The default risk-cue lexicon (C3), as plain data a force can read, extend and audit.

Why data and not code: a force adds its own local words ("the Priory", a local refuge's name, a slang
term for a weapon) without a release, and a reviewer can read every rule that can raise a prompt. The
format is checked by `watchkeeper.cues.detect.validate_lexicon`; `merge_lexicon` adds a force's entries.

Format: ``{family: [entry, ...]}`` for the eight families in `FAMILIES`. An entry is either

- a string: a phrase, matched as whole words, case-insensitively, with spaces and hyphens between its
  words interchangeable ("ex-husband" also finds "ex husband" and "exhusband"); or
- a dict with exactly one of
    - ``"phrase"``: as above;
    - ``"pattern"``: a Python regular expression (case-insensitive unless ``"case_sensitive": true``),
      matched at word boundaries;
  and optionally
    - ``"requires"``: words or phrases of which at least one must occur within ``"window"`` characters
      (default 120) either side of the match (context, e.g. "controlling" only near a partner word);
    - ``"unless"``: words or phrases that cancel the match when one of them occurs within
      ``"unless_window"`` characters (default 25) of it (hard negatives, e.g. "knife" in "knife block");
      context words are compared as whole words, ignoring case and apostrophes, hyphen = space;
    - ``"max_age"``: for patterns with a named group ``age`` (digits or a number word) or the groups
      ``day``, ``month`` and ``year`` (a date of birth): the cue fires only for ages up to this number;
    - ``"negatable"``: false when a negation before it must not cancel it (default true);
    - ``"suggestion"``, ``"category"``, ``"reason"``: override the family's prompt (see `FAMILY_PROMPTS`);
    - ``"case_sensitive"``: true for acronyms that are ordinary words in lower case ("DA", "OD");
    - ``"note"``: free text saying why the entry exists (kept, never matched).

Decisions on hard negatives, recorded here because they are policy, not code:
- "ex-" alone is not a cue: "ex-colleague", "ex-boss", "ex-army" are not; "ex-husband", "ex-partner",
  "my ex" are (I41.2: the caller's ex-husband was the risk).
- "kitchen knife" IS a cue (it is the commonest weapon in domestic stabbings, B28.8); a knife *block*, set,
  or sharpener being delivered or stolen is not.
- "shot" only as shooting ("was shot", "shots fired", "threatened to shoot"), never "shot glass", "a shot at
  goal" or "flu shot"; "gun" not in "nail gun", "glue gun", "staple gun".
- "kill" only as a threat or self-harm ("threatened to kill", "kill himself"), never "killing time" or
  "killing themselves laughing".
- "missing" only for people: "missing bin collection", a missing wallet, dog or wing mirror are not cues.
- "court order" is a domestic-abuse cue (I41.2); "food court", "tennis court" and a court hearing are not.
- "curfew" and "tag" only as court-imposed (near bail, order, electronic, licence), not a children's home's
  house rules or a Facebook tag.
- Historic matters still count when they describe the people involved ("stabbed a previous partner"):
  history is exactly what the handler must see (B28.8, I41.2).
- Harm words ("punched", "threatened", "scared") are domestic-abuse cues only near a partner or relative,
  and not when done "by a" stranger or group ("punched by another boy" is an assault on somebody's son).
- Money or sex controlled by an intimate partner is domestic abuse (economic or sexual abuse); the
  financial-exploitation entries stand down when a partner is named next to them.
- A threat reported in speech or a message is a cue like one heard first hand: "he said he'd shoot her",
  "texted saying he'd burn the house down" are weapons cues and, like a threat to kill, domestic-abuse cues
  unless a stranger made them (`THREAT_LEAD` + `LETHAL_THREAT`).
"""

from __future__ import annotations

from typing import Any

FAMILIES: tuple[str, ...] = (
    "domestic_abuse",
    "weapons_firearms",
    "suicide_self_harm",
    "missing",
    "children",
    "mental_health_learning_disability",
    "exploitation_blackmail",
    "breach_of_bail_or_order",
)

SUGGESTIONS: tuple[str, ...] = ("reclassify", "run_checks", "raise_grade")

# What each family's prompt proposes by default: (suggestion, category code or None, reason).
FAMILY_PROMPTS: dict[str, tuple[str, str | None, str]] = {
    "domestic_abuse": (
        "reclassify", "domestic_incident",
        "Possible domestic abuse: consider the domestic incident category, DASH and intelligence checks.",
    ),
    "weapons_firearms": (
        "raise_grade", None,
        "Weapon or firearm mentioned: consider a higher grade, officer safety and firearms checks.",
    ),
    "suicide_self_harm": (
        "raise_grade", "concern_for_welfare",
        "Risk of suicide, self-harm or overdose: consider an emergency grade and the ambulance service.",
    ),
    "missing": (
        "reclassify", "missing_person",
        "Someone is missing or has failed to return: consider the missing-person category and its risk "
        "assessment.",
    ),
    "children": (
        "run_checks", "child_protection",
        "A child is involved: run the child-safeguarding checks.",
    ),
    "mental_health_learning_disability": (
        "run_checks", "vulnerable_adult",
        "Mental health or learning disability: check markers and care plans; weigh vulnerability in THRIVE.",
    ),
    "exploitation_blackmail": (
        "reclassify", "vulnerable_adult",
        "Possible exploitation or blackmail: consider a vulnerable-adult category and intelligence checks.",
    ),
    "breach_of_bail_or_order": (
        "run_checks", "breach_of_order",
        "Bail conditions or an order mentioned: check the orders register for a possible breach.",
    ),
}

# Words that put a match in a partner or family setting (domestic abuse is between partners, former
# partners and family members aged 16 or over).
RELATIONSHIP = [
    "husband", "wife", "partner", "partners", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancee",
    "fiancée", "ex", "exes", "spouse", "hubby", "missus", "bf", "gf", "other half",
    # "bloke" and "fella" alone are any man ("the bloke was convicted"); with a possessive they are a partner
    "her fella", "my fella", "your fella", "her feller", "my feller", "her bloke", "my bloke", "your bloke",
    "baby father", "son", "daughter", "mum", "mam", "mummy", "mother", "dad", "daddy", "father", "stepdad",
    "stepfather", "stepmum", "stepmother", "stepson", "stepdaughter", "step-son", "step-daughter", "stepbrother",
    "stepsister", "brother", "sister", "nephew", "niece", "uncle", "aunt", "nan",
    "grandad", "grandmother", "grandfather", "grandson", "granddaughter", "in-law", "family", "relationship",
    "married", "marriage", "couple", "separated", "divorce", "divorced",
    # informal and extended forms callers use
    "wifey", "lass", "her man", "his woman", "lover", "baby daddy", "baby mum", "baby mother", "babymother",
    "baby father", "kids dad", "kids mum", "childrens father", "childrens mother",
    "ma", "mom", "mommy", "pa", "papa", "step dad", "step mum", "step father", "step mother", "stepparent",
    "gran", "granny", "grandma", "grandpa", "nana", "nanna", "grandparent", "grandparents", "cousin",
    "son in law", "daughter in law", "mother in law", "father in law", "sister in law", "brother in law",
    "adult son", "adult daughter", "grown up son", "grown up daughter", "eldest", "youngest", "sibling",
    "siblings", "twin", "dating", "seeing each other", "on and off", "split up", "broke up",
    "split from", "left him", "left her", "broke up with", "finished with", "ended it", "my lad", "our lad",
    "her lad", "his lad", "my lass", "our lass", "our girl", "our kid", "our boy", "my boy", "my girl",
    "ex fella", "ex bloke", "ex partner", "ex husband", "ex wife", "ex boyfriend", "ex girlfriend",
]
# Possessive forms, as context tokens read them ("mum's" is "mums", "partner's" is "partners").
RELATIONSHIP += [f"{w}s" for w in list(RELATIONSHIP) if " " not in w and not w.endswith("s")]
# What harm, threat, control or fear sounds like in a call; a domestic-abuse cue when a partner or relative is
# near (the words alone are not enough: "a stranger pushed him" is an assault, not a domestic).
# A weapon in a partner's or relative's hands (but not a toy one: "his dad's with him, it's a Nerf gun").
WEAPON_HARM = r"knife|knives|machete|gun|shotgun|rifle|crossbow|hammer|axe|baseball\s+bat|weapon"
TOY_WEAPON = ["nerf", "toy", "toys", "plastic gun", "water gun", "water pistol", "cap gun", "bubble gun", "glue gun",
              "nail gun", "staple gun", "knife block", "knife set", "butter knife", "toy hammer"]
HARM = ([
    r"hit|hits|hitting|hurt|hurts|hurting|punch(?:ed|es|ing)?|slap(?:ped|s|ping)?|kick(?:ed|s|ing)",
    r"strangl(?:e|ed|es|ing)|chok(?:ed|es|ing)|grabbed\s+(?:me|her|him)\s+by\s+the\s+(?:throat|neck|hair)",
    r"pin(?:s|ned|ning)?\s+(?:me|her|him)|dragg(?:ed|ing|s)?|held\s+(?:me|her|him)\s+down|pillow\s+over|"
    r"shoot\s+(?:her|him|me)|(?:burn|set\s+fire\s+to)\s+(?:the|her|my|his)\s+(?:house|flat|home|car)|"
    r"(?:keep|keeps|kept|keeping)\s+(?:me|her|him)\s+(?:in|from|locked)|kept\s+from\s+leaving|push(?:ed|es|ing)|shov(?:ed|es|ing)|beat(?:s|en|ing)?|assault(?:ed|s|ing)?",
    r"push\s+(?:me|her|him)|shove\s+(?:me|her|him)|slash(?:ed|es|ing)?\s+(?:me|her|him|my|her|his|their|your)",
    r"attack(?:ed|s|ing)|rap(?:ed|es|ing)|head[\s-]?butt(?:ed|s)?|black\s+eye|bloody\s+nose|scald(?:ed|s|ing)",
    r"smash(?:ed|es|ing)\s+(?:up\s+)?(?:the|her|his|my|things|stuff|everything)|threw|thrown",
    r"stab(?:bed|bing|s)?|shot\s+(?:her|him|at)",
    r"threat(?:s|en(?:ed|ing|s)?)(?!\s+to\s+(?:take\s+(?:an\s+overdose|(?:his|her|their)\s+own\s+life|"
    r"tablets|pills)|jump|kill\s+(?:him|her|my|them)sel|hurt\s+(?:him|her|my|them)sel|harm\s+(?:him|her|my|"
    r"them)sel|end\s+(?:it|his|her)|tell|share|post|send|release|leak|expose))",
    r"violen(?:t|ce)|forc(?:ed|es|ing)|mak(?:es|e|ing)\s+(?:her|him|me)\s+have\s+sex",
    r"lock(?:ed|s|ing)\s+(?:her|him|my|them)sel(?:f|ves)\s+in|lock\s+(?:me|her|him)\s+out",
    r"abus(?:e|ive)|aggressive|harass(?:ed|es|ing|ment)|stalk(?:ed|s|ing)|following\s+her",
    r"turn(?:ed|s|ing)?\s+up|keeps?\s+(?:turning\s+up|coming|calling|ringing|texting|messaging|waiting|driving)",
    r"(?:hundreds|dozens|loads|lots|\d{2,})\s+(?:of\s+)?(?:messages|texts|calls|voicemails)(?!\s+about)",
    r"bang(?:s|ed|ing)\s+on\s+(?:the\s+|her\s+|my\s+|his\s+)?(?:front\s+|back\s+|bedroom\s+)?(?:doors?|windows?)|"
    r"if\s+(?:i|he|she)\s+can'?t\s+have\s+(?:you|her|him|me)",
    r"refus(?:ed|es|ing)\s+to\s+leave|won'?t\s+leave|will\s+not\s+leave",
    r"frightened|scared|afraid|terrified|in\s+fear",
    r"scream(?:ed|ing|s)?|shout(?:ed|ing|s)?|argu(?:e|es|ed|ing|ment|ments)|rowing|fight(?:ing|s)?",
    r"calling\s+(?:her|him|me)\s+names|demanding\s+money",
    r"(?:make|makes|making|made)\s+(?:a\s+|an\s+|no\s+|any\s+)?(?:complaint|allegation|statement)s?\s+against",
    r"remove\s+(?:him|her)|separated\s+(?:the|them|both)",
    r"controls?\s+(?:what|who|where|when|how|all|everything|the|her|his|my)",
    r"monitor(?:s|ed|ing)?\s+(?:her|his|my)|reads?\s+(?:her|his|my)\s+(?:emails|messages|texts)",
    r"if\s+(?:she|he|i|you)\s+(?:leaves|leave|left|goes|go|ends?\s+it)",
    r"knows?\s+(?:my|her|his)\s+(?:shift\s+pattern|shifts|routine|movements|new\s+address|every\s+move)|"
    r"(?:my|her|his)\s+new\s+(?:place|address|flat|house)|left\s+(?:flowers|notes?|letters?|gifts?|a\s+note)\s+"
    r"(?:on|at|through|outside)",
    # injuries
    r"bit|bites|bitten|teeth\s+marks|bruis(?:e|es|ed|ing)|bloody|bleeding|(?:cut|split|fat)\s+lip|swollen",
    r"fractur(?:e|ed|es)|broken\s+(?:nose|arm|wrist|ribs?|jaw|finger|cheekbone|eye\s+socket)|injur(?:y|ies|ed)",
    r"(?:broke|broken|fractured|snapped|dislocated|cracked)\s+(?:her|his|my|their)\s+(?:nose|arm|wrist|ribs?|jaw|"
    r"fingers?|cheekbone|collarbone|leg|ankle|eye\s+socket|shoulder)",
    r"hands?\s+(?:round|around)\s+(?:her|his|my|their)\s+(?:neck|throat)|(?<!round\s)(?<!around\s)"
    r"(?:her|his|my)\s+(?:neck|throat)",
    # threats and intimidation
    r"(?:told|tells|telling|said)\s+(?:her|him|me)\s+(?:she|he|i|you)(?:'s|'d|'ll|\s+was|\s+is|\s+would|\s+will)?"
    r"\s+(?:be\s+)?next|better\s+behave|what\s+(?:he|she)(?:'ll|'d|\s+will|\s+would|\s+might)\s+do",
    r"punch(?:ed|es|ing)?\s+(?:a\s+)?(?:hole|the\s+wall|the\s+door)|next\s+to\s+(?:her|his|my)\s+head",
    r"intimidat(?:e|es|ed|ing|ion)|menacing|worthless|yell(?:ed|ing|s)?",
    r"knock(?:s|ed|ing)?\s+(?:her|him|me)\s+about|batter(?:ed|s|ing)|(?:sort|deal\s+with)\s+(?:her|him|me)\s+out",
    r"grab(?:bed|s|bing)|blam(?:es|ed|ing)\s+(?:her|him|me)|stay\s+away\s+from\s+(?:her|him|me)",
    r"(?:want(?:s|ed)?|asked\s+for|told\s+him\s+she\s+wanted)\s+a\s+divorce",
    r"chang(?:ed|es|ing)\s+(?:all\s+)?(?:the\s+|her\s+|his\s+|my\s+)?passwords|reads?\s+(?:every|all)\s+(?:of\s+)?"
    r"(?:her|his|my)?\s*(?:message|messages|texts|emails)",
    r"(?:taking|took|taken|takes)\s+(?:money|cash)|money\s+from\s+(?:her|his|my)\s+(?:account|purse|wallet)",
    # a weapon in a partner's or relative's hands
    WEAPON_HARM,
    # control
    r"(?:not|isn'?t|wasn'?t)\s+letting\s+(?:her|him|me)|won'?t\s+let|doesn'?t\s+let|tracker|tracking",
    r"(?:won'?t|will\s+not|doesn'?t|does\s+not)\s+give\s+(?:her|him|me)\s+(?:any\s+)?money|money\s+for\s+food",
    r"(?:credit\s+cards?|loans?|debts?)\s+in\s+(?:her|his|my)\s+name|isolat(?:e|es|ed|ing)",
    r"(?:see|seeing)\s+(?:her|his|my)\s+(?:family|friends)|leave\s+(?:her|his|my)\s+side",
    # fear, escape, covert calls
    r"can'?t\s+go\s+(?:back\s+)?home|climb(?:ed|ing)?\s+out|(?:get|got|getting)\s+away\s+from|"
    r"escap(?:e|ed|ing)\s+from\s+(?:him|her|them|the\s+house)",
    r"hid(?:e|es|ing|den)?|whisper(?:s|ed|ing)?|no\s+sirens|(?:is|was)\s+(?:downstairs|upstairs|outside|at\s+the\s+door)",
])
# What distress sounds like, whatever its cause: a domestic-abuse cue near a relative unless a crisis of the
# person's own is named nearby (`CRISIS`).
DISTRESS = [h for h in HARM
            if h.startswith((r"frightened|", r"scream(?:ed", r"hid(?:e|", r"lock(?:ed|s|ing)\s+(?:her"))]
# Injuries and notes left, near a relative: a domestic-abuse cue, but not the whole story when the entry is
# about the relative's own self-harm, exploitation or disappearance (`detect._explained_distress`).
EXPLAINED_BY_CRISIS = DISTRESS + [h for h in HARM if h.startswith((r"bit|bites", r"knows?\s+(?:my"))]
CRISIS = [
    "self-harm", "self-harming", "self harm", "self harming", "overdose", "overdosed", "suicidal", "suicide",
    "hearing voices", "voices", "psychosis", "psychotic", "dementia", "alzheimers", "schizophrenia", "schizophrenic",
    "bipolar", "mental health", "autism", "autistic", "wrists", "cut herself", "cut himself", "cutting herself",
    "cutting himself", "burning herself", "burning himself", "sectioned", "crisis team", "paranoid", "meltdown",
    "learning disability", "learning difficulties", "devil", "confused",
]
# Words that say what was heard turned out to be nothing (a film, a game): distress heard is then not a cue.
FALSE_ALARM = [
    "horror film", "film", "movie", "the telly", "the tv", "video game", "playing a game", "all fine", "all okay",
    "all ok", "false alarm", "nothing untoward", "no concerns", "folder", "folders", "files",
]
CRISIS += ["cut her arms", "cut his arms", "cutting her arms", "cutting his arms"]
# Words that say a threat came from a stranger, not a partner or relative.
STRANGER = [
    "stranger", "neighbour", "customer", "colleague", "landlord", "driver", "passenger", "shopkeeper",
    "security", "doorman", "bouncer", "a man", "a male", "a woman", "a female", "youths", "rival",
    "boss", "manager", "supervisor", "teacher", "mate", "mates", "dealer", "dealers", "gang",
    "man next door", "woman next door", "older boys", "older lads", "lads", "boys",
]
# Strangers who make a threat, less the people who usually report one ("neighbour says ...", "a woman
# screaming"): an idiomatic threat reported by a neighbour is still a cue.
# Animals: a pet that has gone is not a missing person.
ANIMALS = ["dog", "dogs", "cat", "cats", "puppy", "kitten", "pet", "spaniel", "cockapoo", "labrador", "terrier",
           "collie", "poodle", "tortoise", "parrot", "rabbit", "horse", "pony", "budgie", "microchipped",
           "dog warden"]
THREAT_MAKERS_OUTSIDE = [w for w in STRANGER if w not in ("neighbour", "a woman", "a female")]
# Harm done "by" someone outside the family ("punched by another boy") is an assault, not domestic abuse, even
# when the victim is somebody's son or daughter.
OUTSIDE_AGENT = [
    "by a", "by an", "by another", "by other", "by older", "by some", "by two", "by three", "by four",
    "by several", "by youths", "by strangers", "by a group", "by a gang", "by next door", "by the neighbour",
    "by his friend", "by her friend", "by a friend", "by classmates", "by the police", "by officers",
    "older boys", "other boys", "older lads", "other kids", "older kids", "bullies", "bullied", "bullying",
]
# Intimate partners: money or sex controlled by a partner is labelled domestic abuse (economic or sexual
# abuse), not exploitation, so the financial exploitation entries stand down when a partner is named nearby.
INTIMATE = ["husband", "wife", "partner", "boyfriend", "girlfriend", "fiance", "fiancé", "fiancee", "ex",
            "hubby", "missus", "fella", "bloke"]
INTIMATE += [f"{w}s" for w in list(INTIMATE) if not w.endswith("s")]
CHILD_WORDS = [
    "lad", "lads", "boy", "boys", "girl", "girls", "kid", "kids", "child", "children", "youths",
    "youngster", "youngsters", "son", "daughter", "pupil", "pupils", "schoolboy", "schoolgirl",
    "youth", "teen", "teens", "teenager", "teenagers", "juvenile", "juveniles", "minor",
    "daughters", "sons", "lads", "boys", "girls", "kids", "childs", "grandson", "granddaughter", "grandsons",
    "granddaughters", "stepson", "stepdaughter", "nephew", "niece",
]
# A child in the words around a match: the child words, ages under 18 written either way, school years and
# settings (used where an adult's conduct is exploitation only because the other party is a child).
CHILD_CONTEXT = [
    *CHILD_WORDS, "year-old", "year old", "years old", "aged", "teenage", "in care", "school", "academy", "blazer",
    "blazers", "uniform", "childrens home", "children's home", "foster",
    *[str(n) for n in range(8, 18)], *[f"{n}yo" for n in range(8, 18)], *[f"{n}yrs" for n in range(8, 18)],
    "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    *[f"yr{n}" for n in range(5, 12)], *[f"year {n}" for n in range(5, 12)], *[f"yr {n}" for n in range(5, 12)],
]
NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen"
)
AGE = rf"(?P<age>\d{{1,2}}|{NUMBER_WORDS})"
PRONOUN_SELF = r"(?:him|her|my|them|your|our)sel(?:f|ves)"
POSS = r"(?:his|her|my|their|your)"
# Reported speech or a message announcing an act ("he'd", "he said he will", "threatened to", "going to").
THREAT_LEAD = (r"(?:(?:he|she|they|i|you)(?:'d|'ll|\s+would|\s+will|(?:'s|\s+is|\s+was|'re|\s+are)\s+going\s+to|"
               r"\s+gonna)|threat(?:en(?:ed|ing|s)?)?s?\s+to|going\s+to|gonna)")
# Acts that kill or maim with a weapon or by fire, and whom they are aimed at.
LETHAL_THREAT = (r"(?:(?:cut|carve|chop|slice)\s+(?:me|her|him|you|us|them)\s+up|"
                 r"(?:shank|merk|blast|bottle)\s+(?:me|her|him|you|us|them|ya)\b|set\s+(?:fire\s+to\s+\w+|(?:the|my|her|his|your|our)\s+(?:house|flat|home|"
                 r"place|car)\s+(?:on\s+fire|alight|ablaze)|(?:me|her|him|you|us|them|it)\s+(?:on\s+fire|alight))|"
                 r"shoot\s+the\s+next|"
                 r"(?:shoot|stab|knife|slash|slit|glass|acid|burn|torch|petrol\s+bomb)\s+(?:me|her|him|you|us|them|the\s+(?:house|flat|"
                 r"home|place|car)(?:\s+down)?|(?:my|her|his|our|their|your)\s+(?:house|flat|home|place|car|face)))")

# A threat to kill said in idiom ("do her in", "finish him off", "six feet under", "you're dead").
WHOM = r"(?:me|her|him|you|us|them|ya)"
IDIOM_KILL = (
    rf"(?:do|did|doing|done)\s+{WHOM}\s+in\b|finish(?:ed|ing)?\s+{WHOM}\s+off|six\s+f(?:ee|oo)t\s+under|"
    rf"make\s+{WHOM}\s+disappear|"
    rf"put\s+{WHOM}\s+in\s+(?:the\s+ground|a\s+box|a\s+coffin|the\s+grave|a\s+body\s+bag|hospital|intensive\s+care)|"
    rf"(?:you'?re|she'?s|he'?s|you\s+are|she\s+is|he\s+is)\s+(?:a\s+)?dead\s+(?:woman|man|meat)|"
    r"(?:(?:she|he|you|i)(?:'ll|'d|\s+will|\s+would)|(?:she'?s|he'?s|you'?re)\s+going\s+to)\s+(?:be|end\s+up)\s+"
    r"(?:dead(?!\s+(?:meat|tired|beat|set|against|serious|right|lucky|on|to|in\s+the\s+water|easy|keen|"
    r"funny|jealous|bored|chuffed|embarrassed|worried))|in\s+a\s+(?:box|coffin|body\s+bag)|in\s+the\s+ground|"
    r"in\s+hospital|in\s+intensive\s+care)|(?:her|his|my|your)\s+face\s+(?:is|'s)\s+next|"
    rf"(?:cut|slit)\s+{POSS}\s+throat|(?:kick|cave|smash|stove)\s+{POSS}\s+(?:head|face|skull)\s+in|"
    rf"wring\s+{POSS}\s+neck|snap\s+{POSS}\s+neck|won'?t\s+(?:see|live\s+to\s+see)\s+(?:tomorrow|the\s+morning|"
    r"christmas|another\s+day|the\s+weekend)|(?:won'?t|will\s+not)\s+(?:wake|get)\s+up\s+(?:again|tomorrow)|"
    r"not\s+(?:be\s+)?(?:alive|breathing)\s+(?:by|for\s+long|much\s+longer)|(?:she|he|you)(?:'ll|\s+will)\s+be\s+next"
)
# Control over money, phone, movement and friends, said in a caller's words.
CONTROL = (
    r"(?:takes?|took|taken|has|keeps?|kept|holds?|controls?|confiscat\w+|hid(?:es|den)?|hides)\s+(?:all\s+)?"
    r"(?:my|her|his|(?:mum|mam|dad|nan|gran|mother|father|grandad|grandma)'?s)\s+(?:bank\s+cards?|cards?|"
    r"debit\s+card|money|wages|benefits|pay|salary|universal\s+credit|"
    r"pension|car\s+keys|keys|phone|mobile|sim(?:\s+card)?|passport|purse|wallet|pin)|"
    r"(?:gives?|gave|giving)\s+(?:me|her|him)\s+(?:an?\s+)?(?:allowance|pocket\s+money|£?\d+\s+a\s+week)|"
    r"(?:not|isn'?t|wasn'?t|never)\s+allowed\s+(?:to\s+)?(?:go\s+out|leave|out|see|have|use|talk|speak|work|drive|"
    r"visit|wear|spend|phone|call)|(?:has|have|had)\s+to\s+(?:ask|tell)\s+(?:him|her)\s+(?:before|where|for\s+"
    r"money|permission|every)|ask\s+(?:his|her)\s+permission|"
    r"(?:checks?|checking|checked|goes\s+through|went\s+through|going\s+through|looks?\s+through|monitors?)\s+"
    r"(?:my|her|his)\s+(?:phone|mobile|messages|texts|bank|emails|social\s+media|facebook|whatsapp)|"
    r"(?:tracks?|tracking|tracked)\s+(?:me|her|him)\b|find\s+my\s+(?:iphone|friends)|"
    r"life360|air\s?tags?|location\s+sharing|shares?\s+(?:my|her|his)\s+location|"
    r"(?:smashed|broke|snapped|threw)\s+(?:my|her|his)\s+(?:phone|mobile|sim)|"
    r"(?:times|timing|timed)\s+(?:me|her|him)\s+(?:when|whenever|going|at)|"
    r"(?:won'?t|will\s+not|doesn'?t|does\s+not|didn'?t|never)\s+let(?:s)?\s+(?:me|her|him)\s+(?:out|go|leave|see|have|"
    r"work|drive|use|talk|speak|near|phone|call|visit|spend|get)|cut\s+(?:me|her|him)\s+off\s+from|"
    r"(?:stops?|stopped|stopping)\s+(?:me|her|him)\s+(?:from\s+)?(?:seeing|going|leaving|working|talking|"
    r"speaking|using|having)"
)

# Words that stand a family down (policy, like the hard negatives above): the person has been found, the
# screaming was a film, a threat was a figure of speech, the one missing is a pet. Each is (scope, pattern):
# "before" cancels the family's cues that come before the words ("misper ... located safe and well"), so a
# fresh cue after them still counts; "sentence" cancels its cues in the same sentence; the learned model does
# not raise a family that was stood down.
FALSE_ALARM_RX = (
    r"(?:it'?s|it\s+was|turned\s+out\s+(?:to\s+be|it\s+was)|was\s+(?:just|only)|only|just)\s+(?:a\s+|the\s+)?"
    r"(?:horror\s+|scary\s+|war\s+|action\s+)?(?:film|movie|telly|tv|video\s+game|computer\s+game|game|radio|"
    r"programme)\b|false\s+alarm|(?:it'?s|it\s+was|turned\s+out\s+to\s+be|was\s+(?:just|only))\s+(?:a\s+|an\s+)?"
    r"(?:[\w-]+\s+){0,6}?(?:toy|nerf|water\s+pistol|water\s+gun|cap\s+gun|bb\s+gun\s+toy)\b"
)
FIGURE_OF_SPEECH_RX = (
    r"(?:confirmed|says|stated|states|said|adamant)\s+(?:there\s+(?:were|was|are)\s+)?no\s+(?:real\s+)?"
    r"(?:threats?|intention)|figure\s+of\s+speech|(?:just|only)\s+an?\s+expression|(?:was|were|is)\s+"
    r"(?:only\s+|just\s+)?joking|not\s+meant\s+(?:seriously|literally)|didn'?t\s+mean\s+it\s+literally"
)
FOUND_RX = (
    r"(?:located|found|traced|turned\s+up|(?:is|was|now)\s+(?:home|back\s+home))\s+(?:safe(?:\s+and\s+well)?|"
    r"unharmed|fine|and\s+well|well)\b|safe\s+and\s+well(?!\s+(?:check|visit|concern))|(?:has|have)\s+(?:now\s+)?"
    r"(?:returned|come)\s+home|no\s+longer\s+missing|all\s+(?:fine|ok|okay|well)\b[^.]{0,20}?cancel|"
    r"(?:log|call|report|misper)\s+(?:to\s+)?(?:close|closed|cancell?ed|be\s+closed)|(?:texted|rang|called|"
    r"messaged|been\s+in\s+touch)\b[^.]{0,30}?(?:he'?s|she'?s|they'?re|(?:he|she)\s+is)\s+(?:fine|ok|okay|safe|"
    r"at\s+(?:his|her|their)\s+\w+'?s)"
)
PET_RX = (
    r"\b(?:dog|cat|puppy|kitten|pet|spaniel|cockapoo|labrador|terrier|collie|poodle|tortoise|parrot|rabbit|horse|"
    r"pony|budgie)s?\b[^.!?]{0,60}?(?:missing|gone|escaped|got\s+out|run\s+off|ran\s+off|lost)|"
    r"microchip(?:ped)?|dog\s+warden"
)
# Literals one of which every match of each pattern contains: the pattern is searched only when one occurs.
FALSE_ALARM_WORDS = ("film", "movie", "telly", "tv", "game", "radio", "programme", "false alarm", "toy", "nerf",
                     "water pistol", "water gun", "cap gun")
FIGURE_OF_SPEECH_WORDS = ("no threat", "no real threat", "no intention", "figure of speech", "expression", "joking",
                          "not meant", "literally")
FOUND_WORDS = ("located", "found", "traced", "turned up", "home", "safe", "no longer missing", "cancel", "close",
               "texted", "rang", "called", "messaged", "touch")
PET_WORDS = ("dog", "cat", "pupp", "kitten", "pet", "spaniel", "cockapoo", "labrador", "terrier", "collie", "poodle",
             "tortoise", "parrot", "rabbit", "horse", "pony", "budgie", "microchip")
STAND_DOWN: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "domestic_abuse": [("before", FALSE_ALARM_RX, FALSE_ALARM_WORDS),
                       ("sentence", FIGURE_OF_SPEECH_RX, FIGURE_OF_SPEECH_WORDS)],
    "weapons_firearms": [("before", FALSE_ALARM_RX, FALSE_ALARM_WORDS),
                         ("sentence", FIGURE_OF_SPEECH_RX, FIGURE_OF_SPEECH_WORDS)],
    "suicide_self_harm": [("before", FALSE_ALARM_RX, FALSE_ALARM_WORDS)],
    "missing": [("before", FOUND_RX, FOUND_WORDS), ("sentence", PET_RX, PET_WORDS)],
}

# A former or estranged partner named: a domestic-abuse cue in itself (I41.2), except when the only thing said
# of them is that they are the one at risk (suicidal, missing): then the entry is about that
# (`detect._explained_distress`).
PARTNER_NAMED = (
    r"ex[\s-]?(?:husband|wife|partner|boyfriend|girlfriend|bf|gf|fianc[eé]e?|missus|hubby|fella|feller|bloke|lover|"
    r"other\s+half|man|woman|lad|lass)s?",
    # written as look-behinds so the rule is tried only at words starting "ex", not at every "the"
    r"(?:(?<=\bmy\s)|(?<=\bher\s)|(?<=\bhis\s)|(?<=\btheir\s)|(?<=\byour\s)|(?<=\bthe\s)|(?<='s\s))ex(?:'s)?(?![-\w])",
    r"(?:estranged|former|previous)\s+(?:husband|wife|partner|boyfriend|girlfriend|spouse|fianc[eé]e?)",
)

DEFAULT_LEXICON: dict[str, list[Any]] = {
    "domestic_abuse": [
        # relationships: a former or estranged partner is the commonest source of risk (I41.2, B28.1)
        *({"pattern": named, "negatable": False} for named in PARTNER_NAMED),
        # a threat to harm oneself or the other unless taken back is coercion by a partner
        {"pattern": r"if\s+(?:he|she|you|i)\s+(?:doesn'?t|don'?t|won'?t|does\s+not|will\s+not)\s+(?:take|have)\s+"
                    r"(?:her|him|me)\s+back"},
        {"pattern": r"(?:father|mother) of (?:her|his|my|their) (?:child|children|kids|baby)"},
        {"pattern": r"baby(?:'s)? (?:father|daddy|mother|mum)"},
        # the words themselves
        {"pattern": r"domestic(?:[\s-]+(?:violence|abuse|abuser|incident|incidents|assault|argument|dispute|"
                    r"row|history|related|situation|marker|case|matter))"},
        {"pattern": r"(?:(?<=\ba\s)|(?<=\bthe\s)|(?<=\banother\s)|(?<=\bin\s)|(?<=\bongoing\s)|"
                    r"(?<=\bprevious\s)|(?<=\bverbal\s)|(?<=\bphysical\s))domestics?(?!\s*(?:burglary|"
                    r"appliance|appliances|flight|flights|waste|premises|property|animal|cat|cleaner|abuse|"
                    r"violence))"},
        {"pattern": r"domestics", "unless": ["appliances"]},
        {"pattern": r"domestic\s+(?:in\s+progress|ongoing|going\s+on|happening|at\s+(?:number|no\.?|flat|\d))"},
        {"pattern": r"DV|DA|DVA", "case_sensitive": True, "unless": ["DVLA"]},
        {"pattern": r"MARAC|IDVA|ISVA|DASH", "case_sensitive": True},
        "marac", "dash risk assessment", "dash form",
        {"pattern": r"clare'?s law|DVDS|domestic violence disclosure|right to (?:ask|know) disclosure"},
        {"pattern": r"women'?s aid|refuge"},
        {"pattern": r"coercive(?:\s+(?:and|&)\s+controlling)?(?:\s+(?:control|behaviour))?"},
        {"pattern": r"controlling|controls?\s+(?:all\s+)?(?:the|her|his|my)\s+(?:money|finances|phone|"
                    r"medication|life)", "requires": RELATIONSHIP + ["he", "she"]},
        {"pattern": r"honour[\s-]?based|(?:forced|arranged)\s+marriage|abroad\b[^.;]{0,40}?(?:to\s+(?:be|get)\s+"
                    r"married|marriage|marry)"},
        # orders protecting a partner or relative (also breach cues when breached); a shop's or a
        # neighbour's court order, with no relative in the words around it, is not one
        {"pattern": r"court\s+order", "requires": RELATIONSHIP, "window": 100},
        {"pattern": r"non[\s-]?mol(?:estation)?(?:\s+order)?|occupation\s+order"},
        {"pattern": r"DVPO|DVPN|DAPO|DAPN", "case_sensitive": True},
        {"pattern": r"domestic\s+(?:violence|abuse)\s+protection\s+(?:order|notice)"},
        # threats to kill (I41.2: a husband had threatened to kill her); not when a stranger made them
        {"pattern": r"threat(?:en(?:ed|ing|s)?)?s?\s+to\s+kill(?!\s+(?:him|her|my|them)sel)",
         "unless": STRANGER, "unless_window": 60},
        {"pattern": r"(?:going\s+to|gonna|will|would|'ll|i'll|'d)\s+kill\s+(?:me|her|you|us|them)",
         "unless": STRANGER, "unless_window": 60},
        {"pattern": r"threat(?:en(?:ed|ing|s)?)?s?\s+to\s+kill(?!\s+(?:him|her|my|them)sel)|(?:going\s+to|"
                    r"gonna|will|would|'ll|i'll|'d)\s+kill\s+(?:me|her|you|us|them)", "requires": RELATIONSHIP,
         "window": 80},
        # reported threats to kill with a weapon or by fire ("he said he'd shoot her", "she told me he will stab
        # her", "texted saying he'd burn the house down with me in it"): treated like a threat to kill
        {"pattern": rf"{THREAT_LEAD}\s+{LETHAL_THREAT}", "unless": STRANGER, "unless_window": 60},
        # threats to kill in idiom, first hand or reported ("said he'd do her in", "she'll end up six feet
        # under", "finish you off"): by someone close, or not said to come from a stranger
        *({"pattern": IDIOM_KILL, **extra} for extra in ({"unless": THREAT_MAKERS_OUTSIDE, "unless_window": 40},
                                                        {"requires": RELATIONSHIP + ["he", "she"], "window": 100})),
        {"pattern": r"(?:husband|wife|partner|boyfriend|girlfriend|ex|fianc[eé]e?|fella|bloke)\s+(?:did|caused|done)\s+"
                    r"(?:it|this|that)"},
        # what abuse sounds like in a call
        {"pattern": r"(?:he|she)\s+(?:hits|beats|hurts|slaps|punches|strangles|chokes|kicks)\s+me|(?:he|she)"
                    r"(?:'s|\s+is)\s+(?:going\s+to|gonna)\s+(?:hurt|hit|beat|kill)\s+me"},
        {"pattern": r"(?:you'?re|you\s+are|stop|stop\s+it)[,!]?\s+(?:you'?re\s+)?hurting\s+me"},
        {"pattern": r"since\s+(?:she|he|i|they|we)\s+(?:ended\s+(?:it|the\s+relationship|things)|split(?:\s+up)?|"
                    r"broke\s+up|left\s+(?:him|her))"},
        {"pattern": r"(?:has\s+)?(?:hit|beaten|hurt)\s+(?:me|her|him)\s+before"},
        *({"pattern": harm, "requires": RELATIONSHIP, "window": 100,
           "unless": OUTSIDE_AGENT + (TOY_WEAPON if harm == WEAPON_HARM else []), "unless_window": 25}
          for harm in HARM if harm not in DISTRESS),
        # distress alone (shouting, fear, bleeding, hiding) near a relative is not abuse when a crisis of the
        # person's own (self-harm, psychosis, dementia) explains it
        *({"pattern": harm, "requires": RELATIONSHIP, "window": 100, "unless": CRISIS + FALSE_ALARM,
           "unless_window": 150} for harm in DISTRESS),
        {"pattern": r"lock(?:ed|s|ing)\s+(?:me|her|him)\s+in"},
        # fear OF a partner or relative is more than distress: it names who is feared
        {"pattern": r"(?:frightened|scared|afraid|terrified|petrified|in\s+fear)\s+of\s+(?:her|his|my|their|the)\s+"
                    r"(?:ex[\s-]?)?(?:husband|wife|partner|boyfriend|girlfriend|fianc[eé]e?|ex|son|daughter|dad|father|"
                    r"mum|mother|stepdad|stepfather|stepmum|brother|sister|grandson|granddaughter|uncle|nephew|fella|"
                    r"bloke|other\s+half)"},
        {"pattern": r"(?:won'?t|will\s+not|doesn'?t|does\s+not)\s+let\s+(?:me|her|him)\s+(?:see|leave|go|"
                    r"out|have)"},
        {"pattern": r"(?:checks|reads|goes\s+through)\s+(?:my|her|his)\s+(?:phone|messages|texts)"},
        {"pattern": r"(?:jealous|possessive)", "requires": RELATIONSHIP + ["he", "she"]},
        {"pattern": r"(?:taken|took|takes|keeps?|kept|holding|withholding|refus(?:es|ed|ing)\s+to\s+"
                    r"(?:give|return)(?:\s+back)?)\s+(?:all\s+)?(?:my|her|his)\s+(?:passport|bank\s+cards?|"
                    r"phone|keys|wages|id|documents)", "requires": RELATIONSHIP},
        {"pattern": r"tracking\s+(?:app|device)|track(?:s|ing)?\s+(?:my|her|his)\s+(?:phone|location|car)"},
        # coercive control over money, phone and movement (economic abuse, isolation)
        {"pattern": CONTROL, "requires": RELATIONSHIP, "window": 120,
         "unless": OUTSIDE_AGENT + STRANGER + ["carer", "care home", "staff", "school", "teacher", "employer", "boss",
                                    "landlord", "dealer", "dealers", "dealing", "blokes", "cuckooed"],
         "unless_window": 60},
        # an ex or partner threatening to share intimate images is abuse as well as blackmail
        {"pattern": r"(?:threat\w*|said|says|saying|going|gonna)\s+(?:to\s+|he'?ll\s+|she'?ll\s+|he\s+will\s+|"
                    r"she\s+will\s+)?(?:post|share|send|leak|put|upload|show)\w*\s+(?:my|her|his|the|our|those|"
                    r"some)?\s*(?:private|intimate|naked|nude|sexual|explicit|sex)?\s*(?:photos|pictures|pics|images|"
                    r"videos?|nudes|tape)", "requires": INTIMATE, "window": 100},
    ],
    "weapons_firearms": [
        {"pattern": r"knife|knives",
         "unless": ["knife block", "knife set", "knife sets", "knife sharpener", "butter knife",
                    "knife and fork", "palette knife", "knife crime awareness"]},
        {"pattern": r"blades?|bladed\s+article|pointed\s+article",
         "unless": ["shoulder blade", "blades of grass", "turbine", "rotor", "wiper", "mower", "razor blade",
                    "razor blades"]},
        {"pattern": r"machetes?|swords?|samurai|axes?|hatchets?|cleavers?|crossbows?|catapults?|"
                    r"knuckle[\s-]?dusters?|knuckles\s+duster|knuckledusters?|cosh|kubotan|nunchucks?"},
        {"pattern": r"(?:baseball|cricket|rounders)\s+bats?|(?:with|holding|carrying|swinging)\s+(?:a|an)\s+"
                    r"(?:metal\s+|wooden\s+)?(?:bat|pole|bar|crowbar|spanner|wrench|brick|broken\s+bottle|iron\s+bar|"
                    r"scaffold\s+pole|screwdriver|chain|golf\s+club|pool\s+cue|plank|stick)",
         "unless": ["walks", "walking", "walker", "walked", "zimmer", "frame", "mobility"], "unless_window": 12},
        {"pattern": r"bats?", "requires": ["swinging", "fighting", "hit", "with a", "armed", "carrying", "holding",
                                           "threatened", "waving"], "window": 30,
         "unless": ["bat colony", "bats in", "bat survey", "bat box", "cricket"], "unless_window": 15},
        {"pattern": r"(?:sledge)?hammers?", "unless": ["hammer drill", "hammer-drill", "west ham"]},
        {"pattern": r"guns?|handguns?|shotguns?|firearms?|rifles?|pistols?|revolvers?|sawn[\s-]?off|"
                    r"ammunition|ammo|bullets?|tasers?|stun\s+gun|bb\s+gun|airsoft|imitation\s+firearm",
         "unless": ["glue gun", "nail gun", "staple gun", "water gun", "water pistol", "heat gun",
                    "paint gun", "spray gun", "grease gun", "radar gun", "speed gun", "gunmetal",
                    "gun metal", "top gun", "starting pistol", "nerf", "toy", "toys", "plastic gun", "cap gun",
                    "bubble gun", "gun show", "hired gun", "big guns", "jumped the gun", "jumping the gun",
                    "stick to his guns", "stuck to her guns", "going great guns", "smoking gun", "bird scarer",
                    "scarer", "bird scarers"]},
        {"pattern": r"shank(?:s|ed|ing)?|zombie\s+knife|rambo\s+knife|(?:a|his|the|her)\s+'?(?:piece|strap|"
                    r"burner|ting)'?\s+(?:at\s+home|on\s+him|on\s+her|in\s+(?:his|her|the)|under|with\s+him)|"
                    r"(?:he'?ll|she'?ll|they'?ll|will|would|'d|going\s+to|gonna)\s+shoot\b(?!\s+(?:off|up|through|over|"
                    r"round|back|across|past|ahead|out|down|along|home|a\s+video|the\s+video|hoops|pool|some))|"
                    r"shoot\s+the\s+next",
         "unless": ["lamb shank", "shank of", "shanks pony", "shank's pony", "shoot the next scene",
                    "shoot the next episode", "photo", "video", "film"], "unless_window": 20},
        {"pattern": r"gun\s?shots?|gun\s?fire|shots?\s+(?:fired|heard|being\s+fired|from)|(?:fired|firing|"
                    r"discharg(?:ed|ing))\s+(?:a|the|his|her)?\s*(?:gun|rifle|shotgun|pistol|weapon|shot|"
                    r"shots|firearm)",
         "unless": ["fireworks", "firework", "rockets", "car backfiring", "backfire", "bird scarer", "scarer",
                    "bangers"], "unless_window": 60},
        {"pattern": r"(?:been|was|were|got|get|being|is|are)\s+shot(?!\s+(?:glass|glasses|of|on|at\s+goal|"
                    r"put|by\s+a\s+camera)\b)|shot\s+(?:him|her|me|them|at|dead)",
         "unless": ["a shot at", "shot at goal", "shot at the goal"]},
        {"pattern": r"shoot(?:ing)?\s+(?:you|him|her|me|them|us|people|up)|threat(?:en(?:ed|ing|s)?)?s?\s+to\s+"
                    r"shoot|shooting(?!\s+(?:star|stars|range|a\s+video|a\s+film|video|film|the\s+breeze|pains?|"
                    r"hoops|baskets|pool)\b)",
         "unless": ["photo shoot", "video shoot", "clay pigeon", "film shoot", "toy", "nerf", "water pistol",
                    "water gun", "fireworks", "firework"]},
        {"pattern": r"(?:firearms?|shotgun)\s+(?:certificate|certificates|licen[cs]e|licensing|holder|"
                    r"holders)|certificate\s+holder"},
        {"pattern": r"FAC|SGC", "case_sensitive": True},
        {"pattern": r"acid\s+attack|acid\s+(?:thrown|throwing)|(?:throw|threw|throwing|thrown|spray\w*)\s+acid|"
                    r"corrosive|noxious\s+substance|"
                    r"(?:liquid|bleach|ammonia)\s+(?:thrown|squirted|sprayed)\s+(?:in|at|over)|sprayed\s+(?:something|a\s+"
                    r"liquid|a\s+substance|liquid|\w+)\s+(?:in|into|at)\s+(?:his|her|their|my|the\w*)"
                    r"(?:'s)?\s*(?:eyes|face)|ammonia"},
        {"pattern": r"(?:threw|thrown|throw|throws|throwing|squirted|sprayed|poured|chucked)\s+(?:a\s+|some\s+|the\s+)?"
                    r"(?:bleach|acid|ammonia|corrosive|caustic|drain\s+cleaner|oven\s+cleaner|petrol)\b"},
        {"pattern": r"stab(?:bed|bing|bings|s)?|slash(?:ed|ing)\s+(?:him|her|me|them|across|at)|glassed",
         "unless": ["stab vest", "have a stab", "had a stab", "take a stab"]},
        {"pattern": r"weapons?|armed\s+(?:with|robbery|robbers?|man|men|male|males|suspects?|intruders?|"
                    r"gang|raid|police|response|officers)", "unless": ["weapons-grade", "weapons grade"]},
        # a threat reported in speech or a message ("he'd burn the house down", "said he would slash her face")
        {"pattern": rf"{THREAT_LEAD}\s+{LETHAL_THREAT}"},
        {"pattern": r"slash(?:ed|ing|es)?\s+(?:my|her|his|their|your)\s+(?:face|throat|tyres|tires)|"
                    r"torch(?:ed|ing)?\s+(?:the|her|my|his|their|your)\s+(?:house|flat|home|car|place)|"
                    r"petrol\s+(?:bomb|through\s+the\s+(?:letterbox|letter\s+box|door))"},
        {"pattern": r"brandish(?:ed|es|ing)|(?:pulled|pulls|pulling)\s+(?:out\s+)?(?:a|an)\s+(?:knife|blade|"
                    r"gun|weapon)"},
        {"pattern": r"grenades?|explosive\s+device|pipe\s+bomb"},
    ],
    "suicide_self_harm": [
        # Intent said indirectly, means at hand, goodbyes and self-injury in the words callers use.
        {"pattern": r"(?:everyone|everybody|they|we|the\s+kids|his\s+family|her\s+family)\s+(?:would|'d|will)\s+"
                    r"be\s+better\s+off|better\s+off\s+(?:if|when)\s+(?:i|he|she|they)\s+(?:was|were|wasn'?t|"
                    r"weren'?t|(?:was|were)\s+not)\s+(?:around|here|gone|dead|alive)|(?:rather|sooner)\s+(?:be\s+dead|"
                    r"die\b|not\s+be\s+(?:here|alive))|wish(?:es|ed)?\s+(?:i|he|she|they)\s+(?:was|were)\s+dead"},
        {"pattern": r"noose|rope\s+(?:over|from|round|around|on|tied\s+to)\s+(?:a|the)\s+(?:\w+\s+)?(?:beam|banister|"
                    r"bannister|tree|hook|rafter|joist)|(?:taken|took|swallowed|necked)\s+(?:the\s+)?(?:whole|entire)\s+"
                    r"(?:lot|box|bottle|packet|pack|strip)|(?:won'?t|wouldn'?t|will\s+not|would\s+not)\s+be\s+needing\s+"
                    r"(?:a\s+return|(?:it|this|them|that)\s+(?:any\s?more|again))|(?:giving|given|gave)\s+away\s+(?:all\s+)?"
                    r"(?:his|her|their)\s+(?:stuff|things|belongings|possessions)|(?:walk|walking|walked|heading|headed)\s+"
                    r"(?:towards?|to)\s+the\s+(?:edge|cliff\s+edge|cliffs?|tracks|railway\s+line)"},
        {"pattern": rf"burn(?:s|ed|ing|t)?\s+(?:{POSS}\s+(?:arms?|legs?|skin|wrists?|thighs?)|{PRONOUN_SELF})"},
        {"pattern": r"(?:going\s+to|gonna|will|'ll|wants?\s+to|threaten(?:ed|ing|s)?\s+to|about\s+to)\s+"
                    r"(?:take|swallow|neck)\s+(?:all|the\s+(?:whole\s+)?lot|a\s+load|loads|a\s+handful)\s+(?:of\s+)?(?:his|her|their|my|"
                    r"the)?\s*(?:tablets|pills|meds|medication|paracetamol|painkillers)"},
        {"pattern": r"(?:left|leaving|found|wrote|written)\s+a\s+(?:note|letter)\b[^.]{0,60}?(?:sorry|love\s+you\s+all|"
                    r"goodbye|forgive\s+me)|(?:want(?:ed|s)?|ringing|rang|called|phoned)\s+to\s+say\s+(?:good)?bye",
         "unless": ["funeral", "holiday", "airport", "leaving do"], "unless_window": 40},
        {"pattern": r"suicid(?:e|al|es)",
         "unless": ["suicide prevention", "suicide awareness", "suicide squad"], "unless_window": 30},
        {"pattern": rf"kill(?:s|ed|ing)?\s+{PRONOUN_SELF}", "unless": ["laughing"], "unless_window": 20},
        {"pattern": rf"(?:take|takes|taking|took|taken)\s+{POSS}\s+own\s+life|end(?:s|ed|ing)?\s+(?:it\s+all|"
                    rf"{POSS}\s+(?:own\s+)?life|things|it\s+tonight)"},
        {"pattern": r"(?:want|wants|wanted|wanting)\s+to\s+die|(?:doesn'?t|does\s+not|don'?t|do\s+not)\s+"
                    r"want\s+to\s+(?:live|be\s+here|be\s+alive|go\s+on)|nothing\s+to\s+live\s+for|"
                    r"not\s+worth\s+living|(?:can'?t|cannot|couldn'?t|could\s+not)\s+go\s+on|can'?t\s+do\s+this\s+any\s?more|"
                    r"better\s+off\s+without\s+(?:me|him|her|them)|want(?:s)?\s+it\s+(?:all\s+)?to\s+stop|"
                    r"had\s+enough(?!\s+of)|can'?t\s+take\s+(?:it\s+|this\s+)?any\s?more|(?:going\s+to|gonna|wants?\s+to|"
                    r"will)\s+finish\s+(?:it|it\s+all|things)|(?:saying|caption|message|text|texted)\s+'?(?:bye|"
                    r"goodbye)\b"},
        {"pattern": r"(?:on|onto|walking\s+along|standing\s+on)\s+the\s+(?:railway\s+line|railway\s+track|"
                    r"tracks|train\s+tracks|line)|(?:edge|top|top\s+floor|side)\s+of\s+the\s+(?:bridge|roof|cliff|viaduct|"
                    r"quarry|multi[\s-]?storey|car\s+park)|legs\s+over\s+the\s+(?:side|edge|railings|barrier)|pile\s+of\s+(?:tablets|pills)",
         "unless": ["bus", "phone line", "helpline", "on the line", "hold"], "unless_window": 10},
        {"pattern": rf"(?:use|turn)\s+(?:it|the\s+\w+|a\s+\w+|them)\s+on\s+{PRONOUN_SELF}"},
        {"pattern": r"goodbye\s+(?:text|note|letter|message)s?|(?:text|message|note|letter)s?\s+"
                    r"saying\s+(?:[\w']+\s+){0,3}(?:goodbye|sorry)|saying\s+goodbye|sorry\s+for\s+everything|"
                    r"final\s+(?:message|messages|note)|suicide\s+note"},
        {"pattern": r"self[\s-]?harm(?:s|ed|ing)?|self[\s-]?injur(?:y|ing|ed)"},
        {"pattern": rf"cut(?:s|ting)?\s+(?:{POSS}\s+wrists?|{PRONOUN_SELF})|slit\s+{POSS}\s+wrists?"},
        {"pattern": rf"cut(?:s|ting)?\s+{POSS}\s+(?:arms?|legs?|thighs?|stomach)",
         "requires": ["self-harm", "self harm", "self-harming", "self harming", "razor", "herself", "himself",
                      "again", "blade", "blades"], "window": 60},
        {"pattern": rf"(?:harm|hurt|harming|hurting|harms|hurts)\s+{PRONOUN_SELF}",
         "unless": ["fell", "fall", "accident", "ladder", "tripped"], "unless_window": 40},
        {"pattern": r"overdos(?:e|ed|es|ing)|od'd"},
        {"pattern": r"OD", "case_sensitive": True},
        {"pattern": r"(?:taken|took|swallowed|had)\s+['\"]?(?:an?\s+)?(?:(?:whole|full|entire)\s+)?(?:all|loads|lots|"
                    r"a\s+lot|a\s+handful|a\s+load|"
                    r"too\s+many|a\s+bottle|a\s+packet|packets|boxes|a\s+box|box|bottle|packet|strip|\d+)\b[^.;]{0,30}?"
                    r"(?:tablets|pills|"
                    r"paracetamol|co-?codamol|codeine|medication|meds|sertraline|fluoxetine|citalopram|"
                    r"diazepam|zopiclone|tramadol|insulin|painkillers|antidepressants)"},
        {"pattern": r"\d+\s+(?:paracetamol|co-?codamol|sleeping\s+pills|tablets|pills)|"
                    r"(?:empty|open)\s+(?:packets?|boxes|bottles?|blister\s+packs?)\s+of\s+\w+"},
        {"pattern": r"(?:he|she|i)\s+(?:ends|will\s+end|'ll\s+end|is\s+going\s+to\s+end|wants\s+to\s+end)\s+it"
                    r"(?:\s+all)?\b(?!\s+with)|did\s+(?:it|this)\s+(?:to\s+)?(?:her|him|my|them)sel(?:f|ves)|"
                    r"(?:drive|jump|throw\s+\w+|walk)\s+off\s+(?:the\s+)?(?:edge|cliff|bridge|roof)|looking\s+over\s+"
                    r"the\s+(?:barrier|edge|railings|side|parapet)|(?:boxes|packets)\s+of\s+(?:paracetamol|"
                    r"co-?codamol|painkillers)"},
        {"pattern": rf"cuts?\s+(?:to|on)\s+{POSS}\s+(?:arms?|wrists?|legs?|thighs?)",
         "requires": ["self-harm", "self harm", "herself", "himself", "themselves", "again", "razor", "blade"],
         "window": 60},
        {"pattern": r"(?:tied|tying|tie)\s+(?:a\s+)?(?:rope|cord|belt|scarf)\s+(?:to|round|around|over|from)|"
                    r"(?:engine|car)\s+running\b[^.]{0,40}(?:garage|door\s+shut|hose)|garage\b[^.]{0,40}engine\s+"
                    r"running|(?:won'?t|will\s+not|not\s+going\s+to)\s+be\s+(?:here|around)\s+(?:tomorrow|much\s+"
                    r"longer|anymore|any\s+more)|parapet|look\s+after\s+(?:mum|dad|the\s+kids|my\s+kids|everyone|"
                    r"them)\s+for\s+me|cut\s+(?:his|her|their|my)\s+own\s+(?:arms?|wrists?|legs?|throat)"},
        {"pattern": r"stockpil(?:e|es|ed|ing)|hoard(?:ing|ed|s)\s+(?:tablets|pills|medication|meds)"},
        {"pattern": r"(?:bought|buying)\s+(?:lots\s+of\s+|large\s+(?:amounts|quantities)\s+of\s+)?"
                    r"(?:paracetamol|co-?codamol|painkillers)\s+(?:in|from|at)\s+(?:\w+\s+){0,2}(?:shops|"
                    r"chemists|pharmacies)"},
        {"pattern": r"(?:doesn'?t|don'?t|can'?t|cannot|didn'?t|does\s+not|do\s+not)\s+see\s+(?:the|any)\s+point\s*"
                    r"(?:any\s?more|in\s+(?:living|life|going\s+on|carrying\s+on|being\s+here|anything)|of\s+(?:living|"
                    r"life|going\s+on|carrying\s+on|anything)|(?=[.,;'\"!]|$))|no\s+point\s+(?:in\s+)?(?:living|"
                    r"going\s+on|carrying\s+on|being\s+alive)|(?:taken|take|go|drive|driven|get)\s+(?:me|her|him)?\s*"
                    r"(?:to\s+)?somewhere\s+high|(?:going\s+to|gonna|will|'ll|wants?\s+to)\s+end\s+it(?!\s+with)\b|"
                    r"take\s+(?:us|them|the\s+kids|the\s+children|everyone)\s+with\s+(?:him|her|me)"},
        {"pattern": r"(?:belt|rope|cord|cable|flex|scarf|tie|lead|dressing\s+gown\s+cord)\s+(?:round|around)\s+"
                    r"(?:his|her|my|their)\s+neck"},
        {"pattern": rf"ligatures?|noose|hang(?:ed|ing)?\s+{PRONOUN_SELF}|tried\s+to\s+hang|found\s+hanging"},
        {"pattern": r"thanks?\s+for\s+everything|wants?\s+to\s+be\s+gone|"
                    r"(?:given|giving|gave)\s+away\s+(?:his|her|their|"
                    r"all\s+(?:his|her|their))\s+(?:dog|cat|pets?|belongings|things|possessions|stuff)|"
                    r"(?:a|being\s+a)\s+burden|on\s+(?:the|a|her|his)\s+ledge|(?:thought|thinking|thinks)\s+about\s+"
                    r"(?:taking\s+(?:pills|tablets|an\s+overdose)|ending|killing|suicide|dying)|(?:going|gone|heading)\s+"
                    r"to\s+the\s+(?:bridge|cliffs?|viaduct|quarry)"},
        {"pattern": r"(?:been|is|was|started|keeps|still)\s+cutting(?!\s+(?:the|his|her|my|a|an|some|down|back|up|hair|"
                    r"grass|hedge|hedges|trees?|lawn|wood|corners|class|school|lessons)\b)"},
        {"pattern": r"(?:threaten(?:ed|ing|s)?|going|gonna|wants?|wanted|about|says?\s+(?:he|she)\s+(?:is|was|"
                    r"will)|said\s+(?:he|she)\s+(?:was|would))\s+(?:to\s+)?jump|jump\s+(?:off|from)\s+(?:the|a)\s+"
                    r"(?:bridge|roof|building|car\s+park|multi[\s-]?storey|cliff|flyover|balcony)"},
        {"pattern": r"(?:wrong|other|far)\s+side\s+of\s+the\s+(?:railings|barrier|barriers|fence|parapet|"
                    r"bridge)|platform\s+edge|(?:top|edge)\s+of\s+the\s+(?:multi[\s-]?storey|car\s+park|cliff)"},
        {"pattern": rf"throw(?:s|ing|n)?\s+{PRONOUN_SELF}\s+(?:off|in\s+front|under|from|into)|"
                    rf"in\s+front\s+of\s+(?:a|the)\s+(?:train|lorry|bus|traffic)|walk(?:ed|ing)?\s+into\s+the\s+"
                    rf"(?:sea|river|water|canal)|drown\s+{PRONOUN_SELF}|wanted\s+to\s+drown"},
        {"pattern": r"hose(?:pipe)?\s+(?:from|attached\s+to|running\s+from|in|into)\s+(?:the\s+)?(?:exhaust|"
                    r"window)|exhaust\s+fumes"},
        {"pattern": r"samaritans"},
        {"pattern": r"(?:high\s+)?risk\s+to\s+(?:him|her|them)?sel(?:f|ves)|danger\s+to\s+(?:him|her|them)"
                    r"sel(?:f|ves)|harm\s+to\s+self"},
        # Classes of indirect words (each written from the class, not from one caller's sentence):
        # farewells and putting affairs in order
        {"pattern": r"(?:said|saying|says|say)\s+(?:(?:my|his|her|their)\s+)?(?:final\s+)?goodbyes|"
                    r"(?:this|it)\s+is\s+goodbye|(?:written|wrote|writing|left|leaving|posted)\s+(?:\w+\s+)?"
                    r"(?:letters?|notes?|cards?)\s+(?:to|for)\s+(?:his|her|their|my|the|each\s+of\s+(?:his|her|the))\s+"
                    r"(?:kids|children|family|mum|mam|dad|wife|husband|partner|sons?|daughters?|parents|sister|"
                    r"brother|grandchildren)|last\s+(?:ride|journey|trip|call|message|text|time)\s+(?:i|he|she|"
                    r"you)(?:'ll|\s+will)\s+(?:ever\s+)?(?:need|make|send|take|get)|"
                    r"(?:put|putting|sorted|sorting)\s+(?:out\s+)?(?:his|her|their|my)\s+affairs|"
                    r"(?:given|gave|giving|handed|left)\s+(?:away\s+)?(?:the|his|her|their|my)\s+(?:dog|cat|pets?|"
                    r"belongings|things)\s+to\s+(?:his|her|their|my|a|the)\s+\w+"},
        # hopelessness in the caller's own words
        {"pattern": r"no\s+point\s+(?:any\s?more|no\s?more|in\s+(?:anything|any\s+of\s+it|trying|it\s+all))|"
                    r"what'?s\s+the\s+point\s+(?:any\s?more|of\s+(?:it|anything|living|going\s+on))|"
                    r"can'?t\s+(?:do|cope\s+with|take|face|handle)\s+(?:it|this|things|life|any\s+of\s+it)\s+"
                    r"(?:any\s?more|no\s?more)|can'?t\s+cope\s+(?:any\s?more|no\s?more)|"
                    r"(?:done|finished)\s+with\s+(?:life|living|it\s+all|everything)"},
        {"pattern": r"(?:not\s+(?:gonna|going\s+to)\s+be|won'?t\s+be|no\s+longer\s+(?:be\s+)?)\s*a\s+burden|"
                    r"a\s+burden\s+(?:no|any)\s?more|burden\s+(?:to|on)\s+(?:everyone|everybody|(?:his|her|their|the)\s+"
                    r"(?:family|kids|children))", "negatable": False},
        # a high place, or the far side of a barrier
        {"pattern": r"(?:top\s+(?:deck|floor|level|storey)|roof|edge|ledge)\s+of\s+(?:the\s+|a\s+)?(?:multi[\s-]?"
                    r"storey|car\s+park|bridge|flyover|viaduct|tower\s+block|block\s+of\s+flats)|"
                    r"(?:outside|far\s+side)\s+of\s+the\s+(?:railings|barrier|barriers|fence|parapet)|"
                    r"legs\s+(?:dangling|hanging|swinging)|(?:sat|sitting|stood|standing|perched|climbed)\s+on\s+"
                    r"(?:the\s+)?(?:edge|ledge|railings|parapet)|(?:not|never)\s+coming\s+down|won'?t\s+come\s+down",
         "unless": ["cat", "kitten", "tree", "scaffolding", "scaffolder", "roofer", "ladder", "protest", "protester",
                    "window cleaner", "cleaner", "workman", "workmen", "builder", "builders", "painter"],
         "unless_window": 60},
        # means made ready in a car
        {"pattern": r"hose(?:pipe)?s?", "requires": ["car", "exhaust", "engine", "garage", "layby", "lay-by",
                                                     "van", "vehicle", "window"], "window": 80,
         "unless": ["garden", "watering", "hosepipe ban", "fire hose", "car wash", "washing"], "unless_window": 40},
        # self-injury other than cutting, and cuts described rather than named
        {"pattern": rf"starv(?:e|es|ed|ing)\s+{PRONOUN_SELF}|bang(?:s|ed|ing)?\s+{POSS}\s+head\s+(?:on|against)|"
                    rf"want(?:s|ed)?\s+it\s+to\s+hurt|(?:scratch|pick|burn)(?:es|ed|ing|s)?\s+{POSS}\s+(?:skin|"
                    rf"arms?|wrists?)\s+(?:until|till|raw)|(?:fresh|new|deep)\s+cuts\s+(?:to|on|across)\s+(?:both\s+)?"
                    rf"(?:{POSS}\s+)?(?:fore)?(?:arms?|wrists?|thighs?|legs?)|(?:the\s+)?only\s+thing\s+that\s+"
                    rf"(?:helps|stops\s+the\s+pain)"},
        # someone at risk speaking of a place to die ("she mentioned the river")
        {"pattern": r"(?:mentioned|mentioning|talked\s+about|talking\s+about|kept\s+saying)\s+['\"]?(?:the\s+)?"
                    r"(?:river|bridge|railway|train\s+line|tracks|cliffs?|viaduct|canal|quarry|"
                    r"ending\s+it|not\s+being\s+(?:here|around))"},
    ],
    "missing": [
        {"pattern": r"missing\s+(?:person|persons|people|since|for|overnight|child|children|teenager|"
                    r"man|woman|male|female|boy|girl|patient|pupil|student|episode|episodes|log|"
                    r"enquiry|inquiry|report|from\s+(?:home|care|hospital|school|the\s+(?:ward|unit|home|"
                    r"care\s+home|hospital|placement)|(?:his|her|their)\s+(?:home|placement|care\s+home|"
                    r"foster\s+\w+)))"},
        {"pattern": r"mispers?|MFH|misper\s+log"},
        {"pattern": r"(?:gone|go|goes|going|went|reported|reporting\s+(?:him|her|them)|report\s+(?:him|her|"
                    r"them)|been|is|was|are|were|now|still|remains?|has\s+been|have\s+been|as)\s+missing"
                    r"(?!\s+(?:his|her|their|the|a|an|my|out|it|school|work|lessons|appointments)\b)",
         "unless": ["wallet", "purse", "phone", "keys", "key", "bin", "bins", "car", "van", "bike", "cat",
                    "dog", "tools", "lead", "items", "money", "cash", "parcel", "post", "mirror", "plates",
                    "plate", "jewellery", "laptop", "bag", "handbag", "tortoise", "parrot", "horse", "sheep",
                    "medication", "card", "bank card", "ring", "watch", "documents", "passport"],
         "unless_window": 15},
        {"pattern": r"(?:hasn'?t|has\s+not|have\s+not|haven'?t|had\s+not|hadn'?t|did\s+not|didn'?t|never|not)"
                    r"\s+(?:yet\s+)?(?:come|came|got|gone)\s+(?:back\s+)?(?:home|back)",
         "unless": ["cat", "dog", "car", "van", "parcel"], "unless_window": 30},
        {"pattern": r"(?:hasn'?t|has\s+not|have\s+not|haven'?t|had\s+not|did\s+not|didn'?t|not)\s+(?:yet\s+)?"
                    r"return(?:ed)?\b(?!\s+(?:my|his|her|their|the|a|an|any|our|your|it|them|this|that)\b)|fail(?:ed|s|ing)?\s+to\s+(?:return|come\s+home|come\s+back)",
         "unless": ["hire car", "hire van", "hired", "vehicle", "library", "parcel", "dvd", "depot"],
         "unless_window": 30},
        {"pattern": r"abscond(?:ed|s|ing)?|AWOL|absent\s+(?:without\s+leave|from\s+(?:home|care|school|the\s+"
                    r"ward|the\s+unit))|escaped\s+from\s+(?:the\s+)?(?:ward|hospital|unit|care)"},
        {"pattern": r"(?:has|had|have)\s+run\s+away|ran\s+away\s+from\s+(?:home|care|school|the\s+(?:home|unit|"
                    r"ward|placement))|runaway|run(?:s)?\s+away\s+from\s+(?:home|care)"},
        {"pattern": r"whereabouts\s+(?:is\s+|are\s+|remain\s+|now\s+)?(?:unknown|not\s+known)",
         "unless": ["van", "car", "vehicle", "stolen", "suspect", "offender"], "unless_window": 40},
        {"pattern": r"(?:not|hasn'?t|has\s+not|haven'?t)\s+been\s+(?:seen|heard\s+from)|not\s+seen\s+(?:since|"
                    r"for)|not\s+(?:been\s+)?heard\s+from|no\s+one\s+has\s+(?:seen|heard\s+from)|"
                    r"(?:not|n't|never)\s+seen\s+(?:him|her|them)\s+(?:for|since)"},
        {"pattern": r"(?:has|have|had|he's|she's)\s+escaped",
         "requires": ["ward", "hospital", "sectioned", "section", "unit", "care home", "priory", "prison",
                      "custody"], "window": 80},
        {"pattern": r"last\s+seen",
         "unless": ["lorry", "van", "car", "vehicle", "suspect", "suspects", "offender", "offenders",
                    "made off", "moped", "motorbike", "dog", "cat", "labrador", "spaniel", "terrier", "puppy",
                    "kitten", "pet"], "unless_window": 50},
        {"pattern": r"(?:can'?t|cannot|can\s+not|could\s+not|couldn'?t|unable\s+to)\s+(?:be\s+found|find|"
                    r"locate|trace|reach|contact|get\s+hold\s+of)\s+(?:him|her|them)|(?:can'?t|cannot|could\s+"
                    r"not)\s+be\s+(?:found|located|contacted|traced)",
         "unless": ["car", "van", "keys"], "unless_window": 20},
        {"pattern": r"(?:do|does|did)(?:n'?t|\s+not)\s+know\s+where\s+(?:he|she|they|my\s+\w+|her\s+\w+|"
                    r"his\s+\w+)\s+(?:is|are|was|were|has\s+gone|went)|no\s+idea\s+where\s+(?:he|she|they)\s+"
                    r"(?:is|are|has\s+gone|went)|location\s+(?:unknown|not\s+known)|current\s+location\s+"
                    r"unknown|(?:refus(?:ed|es|ing)|won'?t|will\s+not|wouldn'?t|would\s+not)\s+(?:to\s+)?(?:say|tell"
                    r"\s+\w+|give)\s+where\s+(?:he|she|they)(?!'?s\s+been|'?ve\s+been|\s+(?:has|have|had)\s+been|\s+went|\s+was|\s+were)"},
        {"pattern": r"(?:left|walked\s+out\s+of|discharged\s+(?:him|her|them)sel(?:f|ves)\s+from)\s+(?:the\s+)?"
                    r"(?:ward|unit|hospital|a&e|placement|care\s+home|building)\s+(?:before|without|against|"
                    r"unnoticed|and)"},
        {"pattern": r"walk(?:ed|s)?\s+out(?:\s+of)?|wander(?:ed|s|ing)\s+off|left\s+the\s+building\s+"
                    r"unnoticed",
         "requires": ["care home", "dementia", "ward", "hospital", "unit", "house", "home", "school",
                      "alzheimer's", "alzheimers", "slippers"], "window": 80},
        {"pattern": r"(?:did\s+not|didn'?t|has\s+not|hasn'?t|have\s+not|failed\s+to|not)\s+(?:arrive|"
                    r"arrived|turn(?:ed)?\s+up|show(?:n|ed)?\s+up)",
         "unless": ["parcel", "delivery", "order", "taxi", "driver", "engineer", "ambulance", "officers"],
         "unless_window": 40},
        {"pattern": r"no\s+sign\s+of\s+(?:him|her|them)|(?:not|n't)\s+slept\s+(?:there|at\s+home|in\s+(?:his|her|"
                    r"their)\s+(?:bed|room))", "negatable": False},
        {"pattern": r"(?:has\s+|have\s+|had\s+)?(?:run|ran)\s+off",
         "requires": ["son", "daughter", "child", "year-old", "year old", "mum", "dad", "home", "argument", "row",
                      "care", "school"], "window": 60,
         "unless": ["suspect", "suspects", "offender", "thief", "thieves", "without paying", "made off"],
         "unless_window": 40},
        {"pattern": r"should\s+have\s+been\s+(?:back|home)|(?:not|n't)\s+been\s+in\s+(?:contact|touch)|"
                    r"(?:not|n't)\s+(?:yet\s+)?been\s+(?:found|located|traced)|unaccounted\s+for|(?:has|have|had)(?:n'?t|\s+not)\s+(?:been|come)\s+back|"
                    r"(?:no[\s-]?one|nobody)\s+(?:has|have)\s+(?:heard|seen)|never\s+(?:arrived|turned\s+up|came\s+home)|"
                    r"(?:has|have|had)(?:n'?t|\s+not)\s+come\s+(?:down|back|home)|(?:been\s+)?gone\s+since|"
                    r"wander(?:ed|s|ing)\s+(?:away|off)|not\s+in\s+(?:his|her|their)\s+(?:bed|room)|(?:not|n't)\s+heard\s+from|last\s+saw\s+(?:him|her|them)|"
                    r"(?:is|was|got|been|are|were)\s+lost\s+(?:at|in|on)|lost\s+(?:child|boy|girl|toddler)|"
                    r"absent\s+from|cannot\s+be\s+located|can'?t\s+be\s+located",
         "unless": ["car", "dog", "cat", "pet", "keys", "phone", "wallet", "property", "parcel"], "unless_window": 20},
        {"pattern": r"(?:not|n't|hasn'?t|has\s+not|haven'?t)\s+(?:answered|responded|replied|picked\s+up|"
                    r"been\s+answering|been\s+responding)\b[^.;]{0,30}?(?:in|for)\s+(?:\d+|a|two|three|four|five|six|several|a\s+few|over\s+a)\s+"
                    r"(?:days?|weeks?)"},
        {"pattern": r"(?:not|n'?t)\s+(?:yet\s+)?(?:back|returned)\s+(?:from|by|yet|since|in\s+time|as\s+agreed|when)|"
                    r"(?:was|is|were|been)\s+due\s+(?:back|home|to\s+return)\b",
         "unless": ["parcel", "delivery", "results", "book", "library", "car", "van", "test", "repair"],
         "unless_window": 30},
        {"pattern": r"(?:she'?s|he'?s|they'?ve|has|have)\s+gone\s+(?:again|awol|walkabout|off\s+again)|gone\s+awol|"
                    r"(?:not|n'?t)\s+been\s+(?:home|back|seen)\s+(?:for|since|in|all)|(?:not|n'?t)\s+(?:come|came)\s+"
                    r"home\s+(?:last\s+night|for|since|all)|(?:didn'?t|did\s+not|never)\s+come\s+(?:home|back)|"
                    r"(?:bed|room)\s+(?:not|hasn'?t\s+been)\s+slept\s+in"},
        {"pattern": r"(?:possible\s+|confirmed\s+)?sighting", "unless": ["suspect", "offender", "vehicle",
                                                                         "car", "van"], "unless_window": 30},
        # Classes of words for someone gone, written from the class (each without the object words that
        # made the older entries stand down: "she never arrived, phone off" is a person, not a phone)
        {"pattern": r"(?:he|she|they)\s+(?:never|didn'?t|did\s+not|hasn'?t|has\s+not|hadn'?t|had\s+not|still\s+"
                    r"hasn'?t)\s+(?:arrived|turned\s+up|showed\s+up|made\s+it\s+(?:to|home|back|in)|"
                    r"(?:came|come)\s+(?:home|back|through|out)|got\s+(?:home|there|back|in)|returned)",
         "unless": ANIMALS, "unless_window": 80},
        {"pattern": r"(?:now|has|have|had|'s|is)\s+gone\s+from\s+(?:the\s+|a\s+)?(?:house|home|ward|unit|garden|"
                    r"park|care\s+home|placement|school|hospital|(?:his|her|their)\s+(?:room|bed|house|home|flat|"
                    r"placement))|(?:and|&|but)\s+(?:is\s+)?now\s+gone\b",
         "unless": ANIMALS, "unless_window": 80},
        {"pattern": r"(?:was|were|is|are)\s+(?:meant|supposed|due|expected)\s+(?:to\s+)?(?:be\s+(?:home|back)|"
                    r"arrive|land|come\s+(?:home|back)|return|get\s+(?:home|back)|be\s+picked\s+up)",
         "unless": ANIMALS + ["parcel", "delivery", "flight", "train", "engineer", "repair", "car", "van"],
         "unless_window": 30},
        {"pattern": r"no\s+(?:contact|word|news)\s+(?:from\s+(?:him|her|them)\s+|with\s+(?:him|her|them)\s+)?since|"
                    r"(?:phone|mobile)\s+(?:has\s+been\s+|is\s+|going\s+|goes\s+)?(?:off|dead|straight\s+to\s+"
                    r"voicemail|to\s+voicemail)\s+since", "negatable": False},
        {"pattern": r"(?:hasn'?t|has\s+not|haven'?t|have\s+not|not)\s+been\s+(?:back|home|seen|heard\s+of)\s+since",
         "unless": ANIMALS, "unless_window": 60},
        {"pattern": r"missing\s+from\s+(?:(?:the|his|her|their|a)\s+)?(?:\w+\s+)?(?:home|care|placement|hospital|"
                    r"school|ward|unit|hostel|accommodation|address)"},
        {"pattern": r"left\s+(?:(?:his|her|their)\s+)?(?:phone|mobile|purse|wallet|keys|bag|medication)\s+(?:and|&)\s+"
                    r"(?:(?:his|her|their)\s+)?(?:phone|mobile|purse|wallet|keys|bag|medication|bank\s+cards?)",
         "negatable": False},
    ],
    "children": [
        {"pattern": rf"{AGE}[\s-]?(?:year|yr)s?[\s-]?olds?", "max_age": 17},
        {"pattern": rf"(?:aged|age|ages|agd)\s*(?:of\s+|about\s+|around\s+)?{AGE}\b", "max_age": 17},
        {"pattern": rf"(?:son|daughter|boy|girl|child|kid|grandson|granddaughter|nephew|niece|brother|sister|"
                    rf"stepson|stepdaughter|he|she|baby|pupil|caller|victim|ip|subject|patient|student|lad|"
                    rf"youth|male|female|c/r|i/p|r/p|rp|inf|informant|complainant|aggrieved|mop|lass|teen)(?:'s|\s+is|\s+was|,?\s+who\s+is|,?\s+who'?s|,)\s*(?:only\s+|"
                    rf"just\s+|aged\s+|about\s+)?{AGE}\b(?!\s*(?:years?\s+of|%|am|pm|:|\.\d|p\b|pounds|quid|"
                    rf"minutes|mins|hours|hrs|miles|metres|yards|times|stone|kg|feet|ft|o'?clock|inches|"
                    rf"(?:months|weeks)\s+pregnant))",
         "max_age": 17},
        {"pattern": rf"{AGE}\s*(?:yo|y/o|yrs?|years)\b(?!\s+(?:ago|of|in|since|later|before|after|with|at|"
                    rf"for|imprisonment|prison))", "max_age": 17,
         "requires": CHILD_WORDS + ["he", "she", "year-old", "aged", "caller"], "window": 60},
        {"pattern": rf"(?:male|female|boy|girl|son|daughter|child|youth|juvenile|teen|lad)\s*\(\s*{AGE}\s*"
                    rf"(?:yrs?|years)?\s*\)", "max_age": 17},
        {"pattern": r"[A-Z][a-z]+\s*\(\s*(?P<age>\d{1,2})\s*(?:yrs?|years)?\s*\)", "max_age": 17,
         "case_sensitive": True},
        {"pattern": rf"(?:approx\.?|approximately|about|around|aged?|roughly|maybe|possibly)\s+"
                    rf"(?:\d{{1,2}}\s*(?:-|to|/|or)\s*)?{AGE}\s*(?:yrs?|years|yo|y/o)\b", "max_age": 17},
        {"pattern": rf"(?:maybe|about|around|approx\.?|approximately|roughly|possibly)\s+{AGE}\b", "max_age": 15,
         "requires": CHILD_WORDS, "window": 40},
        {"pattern": r"(?:dob|d\.o\.b\.?|date\s+of\s+birth|born(?:\s+on)?)[:\s]*(?P<day>\d{1,2})[/.-]"
                    r"(?P<month>\d{1,2})[/.-](?P<year>\d{4}|\d{2})", "max_age": 17},
        {"pattern": r"children|child|kids|kiddies|toddlers?|bab(?:y|ies)|infants?|new[\s-]?borns?|"
                    r"schoolboys?|schoolgirls?|schoolchildren|school\s+children|teenagers?|teens|"
                    r"juveniles?|youngsters?|minors",
         "unless": ["baby shower", "baby daddy", "baby father", "baby mother", "baby mum", "babys father",
                    "babys mother", "adult children", "adult child", "grown-up children", "grown up children",
                    "grown-up kids", "toddler group", "child seat", "childs play"], "unless_window": 15},
        {"pattern": r"(?:a|the|two|three|with|involving|for)\s+minor(?!\s+(?:rtc|rta|car|vehicle|traffic|injur\w*|"
                    r"damage|collision|"
                    r"accident|incident|crash|bump|cut|cuts|graze|offence|issue|matter|dispute|disturbance|"
                    r"road|roads|works|repairs|problem|fault|leak|fire|flood|bump\w*|prang|scrape|scratch\w*|dent|"
                    r"surgery|operation|op|procedure|illness|ailment)\b)"},
        {"pattern": r"teenage\s+(?:boy|girl|son|daughter|lad|lads|lass|boys|girls|children|kids)|"
                    r"(?:little|young|small)\s+(?:boy|girl|boys|girls|lad|lads|one|ones)|school\s+uniform|youth\s+(?:club|"
                    r"football|team|group|worker|centre|offending)"},
        {"pattern": r"year\s?(?:[1-9]|1[0-3])\s+(?:pupil|pupils|student|students|boy|boys|girl|girls|child|"
                    r"children|class|group|kids)|pupils?|school\s+(?:boy|girl|kid|kids|run)",
         "unless": ["pupils dilated", "pupils were", "pinpoint pupils", "pupils are"], "unless_window": 15},
        {"pattern": r"children'?s\s+(?:home|services|social\s+care|centre)|foster(?:ed|ing)?\s*(?:carer|carers|"
                    r"parents?|placement|mum|dad|home|care)?|looked[\s-]+after\s+child|child\s+protection|"
                    r"childminder|nursery"},
        {"pattern": r"IIOC|CSE|CCE", "case_sensitive": True},
        {"pattern": r"mummy|daddy", "unless": ["baby daddy", "sugar daddy"], "unless_window": 6},
        {"pattern": r"indecent\s+images"},
        # school years and schools: "in year 9", "a year eleven boy", "at primary school", "sixth form"
        {"pattern": r"(?:in|is\s+in|she'?s\s+in|he'?s\s+in|they'?re\s+in|starts?|started|starting|finished|"
                    r"going\s+into|a)\s+year\s?(?:[1-9]|1[0-3]|one|two|three|four|five|six|seven|eight|nine|ten|"
                    r"eleven|twelve|thirteen)\b(?!\s*(?:ago|old|olds|later|earlier|before|after|since|of\b|"
                    r"sentence|prison|jail|ban|contract|lease|relationship|marriage))"},
        {"pattern": r"year\s?(?:[1-9]|1[0-3]|seven|eight|nine|ten|eleven|twelve|thirteen)\s+(?:at|in|of)\s+"
                    r"(?:school|primary|secondary|high\s+school|the\s+academy|college)|(?:at|from|goes\s+to|attends|"
                    r"started|starting|leave|leaves|left|in|excluded\s+from|skipping|skipped|bunking|truanting\s+from)"
                    r"\s+(?:primary|secondary|high|junior|infant|infants|grammar|middle|special)\s+school|"
                    r"primary\s+school\s+(?:age|aged|child|children|kids|pupil)|reception\s+class|"
                    r"sixth[\s-]?form(?:er|ers)?|GCSEs?|school\s+(?:trip|gates?|bus|holidays|report|age)|"
                    r"(?:after|before|from|skipping|bunking|off)\s+school|excluded\s+from\s+school|"
                    r"truan(?:t|ting|cy)|playground"},
        {"pattern": rf"(?:boy|girl|lad|lass|son|daughter|child|kid|youngster|teenager|grandson|granddaughter)\s+"
                    rf"of\s+(?:only\s+|about\s+|around\s+)?{AGE}\b(?!\s*(?:years?\s+of|%|am|pm|:))", "max_age": 17},
        {"pattern": rf"(?:turn(?:s|ed|ing)?|just)\s+{AGE}\b(?!\s*(?:years?\s+of|%|am|pm|:|minutes|mins|hours|"
                    rf"times|days|weeks|months|pounds|quid|miles))", "max_age": 17,
         "requires": CHILD_WORDS + ["he", "she", "birthday", "her", "his"], "window": 40},
        {"pattern": rf"(?:sons|daughters|children|kids|boys|girls|grandchildren|grandsons|granddaughters|twins)\s*"
                    rf"(?:,\s*|\(\s*|aged\s+|ages\s+|are\s+|who\s+are\s+)?{AGE}\b(?!\s*(?:years?\s+of|%|am|pm|:|minutes|"
                    rf"mins|hours|times|pounds|miles|of\s+them))", "max_age": 17},
        {"pattern": r"[A-Z][a-z]+(?:'s|\s+is)\s+(?:only\s+|just\s+)?(?P<age>\d{1,2}|one|two|three|four|five|six|"
                    r"seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)\b(?!\s*(?:years?\s+of|"
                    r"%|am|pm|:|\.\d|p\b|pounds|quid|minutes|mins|hours|hrs|miles|metres|yards|times|stone|kg|feet|ft|"
                    r"o'?clock|inches|weeks|months|days|pence|grand|floors?|storeys?|doors?|[a-z]+\s+(?:away|down)))",
         "max_age": 17, "case_sensitive": True},
        {"pattern": r"(?:early|mid|mid-|late)\s*teens|under[\s-]?age(?:d)?(?!\s+(?:sales?|drinking\s+ban))|"
                    r"(?:not\s+(?:yet|even)\s+|under\s+)(?:sixteen|eighteen|16|18)\b|(?:teen|teenage)\s*(?:son|"
                    r"daughter|boy|girl|lad|lass|kid)|tween|pre[\s-]?teen"},
    ],
    "mental_health_learning_disability": [
        {"pattern": r"in\s+(?:a\s+)?(?:mental\s+health\s+)?crisis|mental[\s-]+health|"
                    r"mental\s+(?:illness|distress|breakdown)|mentally\s+(?:ill|unwell)|"
                    r"MH\s+crisis"},
        {"pattern": r"sectioned|section\s+(?:136|135|2|3|4|5\(2\))(?!\d)|mental\s+health\s+act|"
                    r"MHA|AMHP|place\s+of\s+safety", "unless": ["section 59", "section 5 public order"]},
        {"pattern": r"s\.?\s?13[56]"},
        {"pattern": r"psychiatr(?:ic|ist|y)|psych\s+ward|schizophreni(?:a|c)|schizo-?affective|bi-?polar|"
                    r"psychosis|psychotic|personality\s+disorder|EUPD|BPD|PTSD|eating\s+disorder|"
                    r"delusion(?:s|al)?"},
        {"pattern": r"hearing\s+voices|voices\s+(?:telling|in\s+(?:his|her|my)\s+head)",
         "unless": ["next door", "upstairs", "downstairs", "raised"], "unless_window": 30},
        {"pattern": r"paranoi(?:d|a)"},
        {"pattern": r"learning\s+(?:disabilit(?:y|ies)|difficult(?:y|ies)|disabled)|autis(?:m|tic)|asperger'?s|"
                    r"down'?s\s+syndrome|down\s+syndrome|special\s+(?:educational\s+)?needs|non[\s-]?verbal|"
                    r"mental\s+age|cognitive\s+impairment|brain\s+injury"},
        {"pattern": r"LD|ASD|SEN|SEND|CTO|OCD", "case_sensitive": True},
        {"pattern": r"CMHT|obsessive[\s-]+compulsive|detained\s+(?:patient|under)|secure\s+(?:hospital|unit|ward)|"
                    r"hears?\s+voices",
         "unless": ["next door", "upstairs", "downstairs", "raised"], "unless_window": 30},
        {"pattern": r"dementia|alzheimer'?s|memory\s+problems"},
        {"pattern": r"crisis\s+team|home\s+treatment\s+team|CPN|community\s+psychiatric|mental\s+health\s+"
                    r"(?:nurse|team|services|worker|unit|ward)|care\s+co-?ordinator|depot\s+(?:injection|medication|jab)|"
                    r"community\s+treatment\s+order|the\s+priory"},
        {"pattern": rf"(?:stopped|not\s+been|isn'?t|is\s+not|hasn'?t\s+been|refus(?:es|ed|ing))\s+(?:taking\s+)?"
                    rf"{POSS}\s+(?:medication|meds)|off\s+{POSS}\s+(?:medication|meds)"},
        {"pattern": r"depress(?:ion|ed|ive)|severe\s+anxiety|panic\s+attacks?"},
        {"pattern": r"vulnerable\s+adults?|adults?\s+at\s+risk|supported\s+living"},
        {"pattern": r"believes?\s+(?:that\s+)?(?:mi5|the\s+police|people|the\s+neighbours|they|someone)\s+(?:are|"
                    r"is)\s+(?:following|watching|poisoning|after|listening)|(?:television|tv|radio)\s+(?:is\s+)?"
                    r"sending\s+(?:him|her|them)\s+messages|talking\s+to\s+(?:him|her)self"},
    ],
    "exploitation_blackmail": [
        {"pattern": r"blackmail(?:ed|ing|s)?|extort(?:ion|ing|ed|s)?|sextortion"},
        # A child worked for others (county lines in the words children use), groomed in secret, or shown
        # sexually: each only with a child in the words around it.
        {"pattern": r"olders|running\s+(?:for\s+(?:some|the|them|older)|up\s+to|down\s+to|a\s+line|lines|"
                    r"county)|work\s+(?:it|the\s+debt|that)\s+off|(?:owe|owes|owed)\s+(?:them|him|the\s+(?:lads|men|"
                    r"dealers|olders))\b[^.]{0,40}?(?:can'?t\s+(?:just\s+)?stop|work|pay\s+(?:it\s+)?back)|"
                    r"trap\s*house|(?:collect|collecting|collects|drop|dropping|drops)\s+(?:off\s+)?(?:small\s+)?"
                    r"(?:packages|parcels|bags|wraps)", "requires": CHILD_CONTEXT, "window": 160},
        {"pattern": r"keep\s+(?:it|this|the\s+chat|them|us|our\s+chats?)\s+(?:a\s+)?secret|(?:not|never|don'?t)\s+"
                    r"(?:to\s+)?tell\s+(?:her|his|their|your|ur)\s+(?:mum|mam|mom|dad|parents|family|teachers?)|"
                    r"parents\s+(?:wouldn'?t|won'?t|don'?t)\s+understand|move\s+(?:the|their)\s+chat|"
                    r"(?:onto|to)\s+(?:a\s+)?(?:private|secret|different)\s+(?:chat|app|account)|"
                    r"(?:looks?\s+like|pictures?\s+of\s+(?:her|him))\s+in\s+(?:the\s+shower|the\s+bath|"
                    r"(?:her|his)\s+underwear|bed)|in\s+just\s+(?:ur|your|her|his)\s+(?:bra|pants|underwear|boxers)|"
                    r"(?:wants?|wanted|arranged|arranging|planning)\s+to\s+meet\s+(?:her|him)\b[^.]{0,60}?"
                    r"(?:not\s+to\s+tell|secret|on\s+(?:his|her)\s+own|alone)",
         "requires": CHILD_CONTEXT, "window": 200},
        {"pattern": r"(?:pictures|photos|images|videos|pics)\s+of\s+(?:young\s+|little\s+|small\s+)?(?:girls|boys|"
                    r"children|kids|a\s+child)\b[^.]{0,60}?(?:undressed|naked|nude|sexual|indecent|in\s+(?:their|"
                    r"her|his)\s+underwear)|indecent\s+images|child\s+(?:abuse\s+)?(?:images|porn\w*)|csam"},
        {"pattern": r"(?:giving|gives|gave|given|supplying|supplies)\s+(?:her|him|them)\s+(?:cannabis|spice|coke|"
                    r"pills|ket|nos)|paying\s+for\s+(?:her|his|their)\s+(?:nails|hair|haircuts?|cuts|clothes|phones?|lashes)",
         "requires": CHILD_CONTEXT, "window": 160},
        {"pattern": r"threat(?:en(?:ed|ing|s)?)?s?\s+to\s+(?!(?:share|post|send)\s+(?:her|his|my|their)\s+(?:location|"
                    r"address)\b)(?:share|post|send|release|leak|publish|show|tell|"
                    r"expose)"},
        {"pattern": r"unless\s+(?:he|she|i|they|you|we)\s+(?:pays?|paid|hands?\s+over|sends?|transfers?)|"
                    r"or\s+(?:they|he|she)\s+(?:will|'ll|would)\s+(?:send|share|post|show|release|leak|expose)|"
                    r"demand(?:s|ed|ing)?\s+(?:money|cash|payment|bitcoin|gift\s+cards)\s+or\b"},
        {"pattern": r"(?:take|took|taken|taking)\s+out\s+(?:a\s+)?loans?\s+in\s+(?:her|his|their|my)\s+name|"
                    r"loans?\s+in\s+(?:her|his|their)\s+name"},
        {"pattern": r"nudes|(?:nude|private|explicit)\s+(?:pictures|photos|images|videos|pics)|"
                    r"intimate\s+(?:images|pictures|photos|"
                    r"videos|pics)|sexual\s+(?:images|videos)"},
        {"pattern": r"county\s+lines?|cuckoo(?:ed|ing)?|running\s+drugs|run(?:s)?\s+drugs|drug\s+runner|"
                    r"drug\s+debt|owes?\s+(?:money\s+)?(?:to\s+)?(?:dealers|a\s+dealer)|carry\s+(?:a\s+)?"
                    r"(?:package|parcel|drugs)\s+(?:to|for)"},
        {"pattern": r"(?:make|makes|made|making|force|forces|forced|forcing)\s+(?:him|her|them|me)\s+(?:to\s+)?"
                    r"(?:hold|carry|sell|deal|run|have\s+sex\s+with\s+(?:his|her|other|others|men|them)|sleep\s+"
                    r"with|steal|work|shoplift)"},
        {"pattern": r"(?:make|makes|made|making|force|forces|forced|forcing)\s+(?:him|her|them|me)\s+(?:to\s+)?"
                    r"(?:hand\s+over|sign)", "unless": INTIMATE, "unless_window": 120},
        {"pattern": r"(?:use|uses|using|used)\s+(?:his|her|their|the)\s+(?:flat|house|home|address|property)\s+"
                    r"(?:to|for)\s+(?:deal|sell|store|drugs|dealing)"},
        {"pattern": r"groom(?:ed|ing|s)?",
         "unless": ["dog grooming", "pet grooming", "grooming parlour", "grooming salon", "dog groomer",
                    "grooming van"], "unless_window": 20},
        {"pattern": r"befriend(?:ed|ing|s)?|mate\s+crime|so[\s-]called\s+friend"},
        {"pattern": r"modern\s+slavery|traffick(?:ed|ing|er|ers)|forced\s+labour|debt\s+bondage|"
                    r"(?:holding|held|keeps?|keeping|kept|took|taken)\s+(?:their|his|her)\s+(?:passports?|"
                    r"id|documents)|gangmasters?|locked\s+in\s+at\s+night|takes?\s+(?:most|all|half)\s+of\s+(?:their|"
                    r"his|her)\s+wages", "unless": ["drug trafficking"] + INTIMATE, "unless_window": 120},
        {"pattern": r"(?:given|gave|giving|handed)\s+(?:his|her|their)\s+(?:bank\s+)?(?:card|pin|cards|savings)\s+to|"
                    r"(?:taking|took|taken|takes)\s+money\s+from\s+(?:her|his|their|my)\s+(?:account|purse|wallet)|"
                    r"(?:used|being\s+used|using\s+him|using\s+her)\s+by\s+(?:local\s+|older\s+)?(?:lads|people|"
                    r"gangs?|dealers|men|youths)\s+to\s+(?:store|hold|sell|deal|keep|carry|hide)|taken\s+over\s+by|"
                    r"(?:given|gave|giving)\s+(?:him|her|them)\s+(?:the|all\s+the|all\s+her|all\s+his)\s+money",
         "unless": INTIMATE, "unless_window": 120},
        {"pattern": r"(?:sending|sent|sends|gives?|given|giving|gave|buys?|buying|bought)\s+(?:her|him|them)\s+"
                    r"(?:new\s+|free\s+|expensive\s+)?(?:money|gifts|"
                    r"presents|alcohol|vapes|phones?|clothes|cash|trainers|vodka|drink|drinks|booze|cigarettes|fags|weed|"
                    r"drugs|takeaways|phone\s+credit|top[\s-]?ups|nails|lifts)|pick(?:s|ed|ing)?\s+(?:her|him)\s+up\s+"
                    r"(?:in|from)\b|(?:man|men|guy|guys|bloke|male|males|lads)\s+in\s+(?:his|their)\s+(?:20s|30s|40s|"
                    r"twenties|thirties|forties|fifties)|mature\s+for\s+(?:her|his)\s+age|(?:man|men|adult|someone|"
                    r"stranger|guy|person)\s+(?:on|from)\s+(?:tiktok|snapchat|snap|instagram|insta|roblox|discord|"
                    r"fortnite|xbox|facebook|whatsapp|minecraft|online|the\s+internet|a\s+game|an\s+app)|"
                    r"(?:asking|asked|asks|wants?|wanted|getting|got|gets)\s+(?:her|him)\s+to\s+(?:video\s+call|facetime|"
                    r"go\s+on\s+(?:cam|camera|video)|come\s+to\s+(?:his|a)\s+(?:flat|house|car|hotel))|"
                    r"(?:to|and)\s+(?:sell|shift|move|run|drop\s+off)\s+(?:stuff|gear|bits|packages|parcels|drugs|work)",
         "requires": CHILD_CONTEXT, "window": 160},
        {"pattern": r"financial(?:ly)?\s+(?:abuse|abused|exploit\w*)|exploit(?:ed|ing|ation|s)?",
         "unless": ["flaw", "vulnerability", "bug", "website", "software", "hackers", "loophole"],
         "unless_window": 40},
        {"pattern": r"(?:has|have|got|taken|took|takes|taking|collects?|collecting|uses?|using)\s+(?:all\s+)?"
                    r"(?:of\s+)?(?:his|her|their)\s+(?:disability\s+|state\s+|child\s+|housing\s+|carer'?s\s+)?(?:bank\s+cards?|bank\s+details|"
                    r"card|cards|pin|pension|benefits|benefit|money|savings|wages)", "unless": INTIMATE,
         "unless_window": 120},
        {"pattern": r"(?:hand|hands|handing|handed|sign|signs|signed|signing)\s+(?:over\s+)?(?:her|his|their)\s+"
                    r"(?:benefits|money|pension|wages|savings|car|house)\s*(?:over)?", "unless": INTIMATE,
         "unless_window": 40},
        {"pattern": r"(?:being\s+)?used\s+by\s+(?:drug\s+)?dealers|taken\s+over\s+(?:her|his|their)\s+(?:bank\s+"
                    r"account|flat|home|house|finances|money)|(?:travel|transport)\s+debts?|can'?t\s+leave\s+until|"
                    r"(?:thousands|money|savings)\s+(?:have\s+been\s+|has\s+been\s+|had\s+)?taken\s+from\s+(?:his|"
                    r"her|their)\s+(?:account|bank)|had\s+thousands\s+taken"},
        {"pattern": r"(?:money|gifts|presents|vapes|alcohol|drink|phones?|clothes|trainers|cash)\s+from\s+(?:an?\s+)?"
                    r"(?:older|adult|\d{2}[\s-]?year[\s-]?old)\s+(?:man|men|male|males|boyfriend|guy|guys)|"
                    r"(?:getting|got|gets)\s+(?:in|into|out\s+of)\s+(?:cars?|vehicles?)\s+(?:driven\s+by|with)\s+"
                    r"(?:older\s+|adult\s+)?(?:men|males|man|male)|hotel\s+(?:key\s+cards?|rooms?)",
         "requires": CHILD_WORDS + ["year-old", "year old", "aged", "teenage", "in care", "school"], "window": 120},
        {"pattern": r"(?:sent|given|giving|transferred|withdrawn|withdrawing|withdrew|handed\s+over)\s+(?:his|"
                    r"her|their|thousands|money|cash|large\s+sums)\b[^.;]{0,40}?(?:for|to)\s+(?:a|an|her|his)\s+"
                    r"(?:friend|woman|man|boyfriend|girlfriend|partner)\s+(?:she|he)\s+met\s+online|"
                    r"(?:sent|given|transferred)\s+(?:his|her|their)\s+savings|romance\s+(?:scam|fraud)|"
                    r"thousands\s+(?:have\s+|has\s+)?gone\s+from"},
        {"pattern": r"(?:ask(?:s|ed|ing)?|wants?|wanted|pressur(?:es|ed|ing))\s+(?:him|her|them)?\s*(?:for|to\s+"
                    r"send)\s+(?:photos|pictures|pics|images|nudes|videos|selfies)",
         "requires": CHILD_WORDS + ["year-old", "year old", "aged", "teenage", "online", "xbox", "snapchat",
                                    "instagram", "tiktok"], "window": 80},
        {"pattern": r"(?:girlfriend|boyfriend|partner|fianc[eé]e?|woman|man|lady|friend)'?\b[^.;]{0,40}?"
                    r"(?:has|have|he'?s|she'?s|they'?ve)\s+never\s+(?:actually\s+)?met|(?:remortgag\w+|re-mortgag\w+|borrow\w*|loans?|"
                    r"savings|sold|selling)\b[^.;]{0,40}?send\s+(?:her|him|them)\s+money|send(?:s|ing)?\s+(?:her|him)\s+"
                    r"money\s+(?:abroad|overseas)"},
        {"pattern": r"(?:she|he|they)\s+met\s+(?:online|on\s+(?:a\s+)?(?:dating\s+(?:site|app|website)|facebook|"
                    r"instagram|tinder|snapchat|the\s+internet))",
         "requires": ["money", "thousands", "savings", "withdrawing", "withdrawn", "sent", "transfer",
                      "transferred", "pounds", "loan", "paid", "flight", "cash"], "window": 80},
        {"pattern": r"(?:transfer\w*|send\w*|sent|giv(?:e|es|ing))\s+(?:money|cash|thousands)\s+"
                    r"(?:every\s+\w+\s+)?to\s+"
                    r"(?:someone|a\s+man|a\s+woman|a\s+stranger|her\s+new|his\s+new)|(?:a\s+group|people|lads|men|"
                    r"dealers)\s+(?:have\s+|has\s+)?(?:move|moved|moving)\s+(?:in\s+)?(?:into|to)\s+(?:his|her|their)\s+"
                    r"(?:flat|house|home)|demand(?:s|ed|ing)?\s+(?:that\s+)?(?:she|he|they|i|you)\s+pays?|"
                    r"(?:hold|store|keep|stash)\s+(?:drugs|gear|packages)\s+(?:at|in|for)|pay\s+(?:it|the\s+debt)\s+off"},
        {"pattern": r"(?:takes?|took|taking)\s+(?:him|her|them)\s+to\s+the\s+(?:cash\s?point|cash\s+machine|"
                    r"bank|post\s+office)"},
        {"pattern": r"against\s+(?:his|her|their)\s+will|pay\s+off\s+(?:his|her|their)\s+debts?|"
                    r"(?:taken|taking|takes|take)\s+advantage\s+of"},
        {"pattern": r"(?:forced|made|pressured|coerced|groomed)\s+to\s+(?:shoplift|steal|beg|sell|deal|carry|run|"
                    r"hold|work)|us(?:e|es|ed|ing)\s+(?:him|her|them)\s+to\s+(?:sell|deal|carry|run|hold|store|move|"
                    r"shoplift|steal)"},
        {"pattern": r"(?:forced|made|pressured|told|groomed|used)\s+to\s+(?:sell|deal|carry|run|hold|move|store)\s+"
                    r"(?:drugs|gear|packages)|(?:sell|selling|deal|dealing|run|running)\s+(?:drugs\s+)?for\s+"
                    r"(?:a|an|the)\s+(?:older\s+)?(?:gang|dealer|dealers|line)"},
        {"pattern": r"older\s+(?:men|males|man|male|boyfriend|guys|lads)",
         "requires": CHILD_CONTEXT, "window": 80},
        {"pattern": r"CSE|CCE", "case_sensitive": True},
        {"pattern": r"sexual(?:ly)?\s+exploit\w*|criminal(?:ly)?\s+exploit\w*"},
        # sextortion: pay, or the pictures go out ("unless I pay", "or they'll post the video")
        {"pattern": r"(?:pay|pays|paid|send\s+(?:them|him|her)\s+money|transfer|£\s?\d+|\d+\s?(?:pounds|quid))\b"
                    r"[^.;]{0,60}?or\s+(?:else\s+)?(?:they|he|she|it)(?:'ll|'d|\s+will|\s+would|\s+are\s+going\s+to|"
                    r"'re\s+going\s+to|'s\s+going\s+to)?\s+(?:post|share|send|show|release|leak|expose|put|upload|"
                    r"tell|ruin)"},
        {"pattern": r"(?:post|share|send|leak|put|upload|show|release|spread)\w*\s+(?:my|her|his|the|our|those|some|"
                    r"them|it|a|these)?\s*(?:private|intimate|naked|nude|sexual|explicit|sex|personal)?\s*(?:photos?|"
                    r"pictures?|pics|images?|videos?|nudes|tape|clip|recording|screenshots?)\b[^.;]{0,60}?"
                    r"(?:unless|if\s+(?:i|she|he|they|we)\s+(?:don'?t|doesn'?t|do\s+not|does\s+not|won'?t|refuses?))"},
        {"pattern": r"(?:recorded|screenshot\w*|filmed|captured)\s+(?:me|her|him|them)\b[^.;]{0,40}?(?:naked|"
                    r"undress\w*|sexual|intimate|on\s+(?:webcam|video\s+call|camera))|webcam\s+(?:blackmail|scam)|"
                    r"(?:naked|nude|intimate)\s+(?:on\s+)?(?:video\s+call|webcam|facetime)"},
        {"pattern": r"(?:recorded|filmed|screen[\s-]?recorded|screenshot\w*)\s+(?:me|her|him|them)\s+on\s+(?:a\s+)?"
                    r"(?:video\s+call|webcam|facetime|skype|camera|cam)|(?:the\s+|a\s+|his\s+|her\s+|my\s+)?(?:video|"
                    r"photos?|pictures?|pics|images?|nudes|clip|recording)\s+(?:goes|go|will\s+go|gets?\s+sent|will\s+be\s+"
                    r"(?:sent|posted|shared|put)|ends?\s+up)\s+(?:out\s+)?(?:to|on|online)"},
        # online grooming of a child: an adult messaging, asking for pictures, secrecy, meeting up
        {"pattern": r"(?:older|adult|grown)\s+(?:man|men|woman|male|guy|bloke|lad)\s+(?:has\s+been\s+|is\s+|was\s+|"
                    r"keeps\s+|kept\s+)?(?:messag|talk|chat|contact|speak|snapchat|send|DM|add)\w*|"
                    r"(?:asked|asking|asks|told|telling|tells)\s+(?:her|him|them)\s+to\s+(?:keep\s+(?:it|this|them|"
                    r"the\s+chats?|their\s+chats?)\s+(?:a\s+)?secret|delete\s+(?:the|their|his|her)\s+(?:messages|"
                    r"chats?)|not\s+tell|send\s+(?:a\s+)?(?:photo|picture|pic|video|selfie)s?|meet\s+(?:up|him|her)|"
                    r"get\s+(?:undressed|naked)|turn\s+on\s+(?:her|his|the)\s+(?:camera|webcam))|"
                    r"(?:meet|meeting|met)\s+(?:up\s+with\s+)?(?:a\s+|an\s+|the\s+)?(?:man|boy|guy|someone|person|"
                    r"friend|older\s+\w+)\s+(?:she|he)\s+(?:met|talks?\s+to|has\s+been\s+talking\s+to|knows)\s+"
                    r"(?:online|on\s+\w+)",
         "requires": CHILD_WORDS + ["year-old", "year old", "aged", "teenage", "school", "online", "snapchat",
                                    "instagram", "tiktok", "discord", "roblox", "xbox", "playstation", "fortnite",
                                    "minecraft", "whatsapp"], "window": 120},
        # Classes of words for exploitation, written from the class:
        # county lines in the words children and parents use (only with a child in the words around it)
        {"pattern": r"shott(?:ing|er|ers)|(?:second|burner|extra|another|cheap|spare)\s+(?:mobile\s+)?phones?|"
                    r"(?:going|gone|went|sent|goes)\s+(?:out\s+)?country|(?:deal|drugs?|county)\s+line|"
                    r"trap\s*(?:house|phone)|bando|plugging|drop[\s-]?offs|(?:messages|texts)\s+about\s+drops|"
                    r"not\s+from\s+(?:round|around)\s+here|(?:come|comes|came|coming)\s+out\s+with\s+(?:rucksacks|"
                    r"backpacks|bags|a\s+bag)", "requires": CHILD_CONTEXT, "window": 200},
        {"pattern": r"(?:CL|CCE|CSE)\s+(?:concerns?|markers?|flags?|risk)", "case_sensitive": True},
        {"pattern": r"(?:county\s+lines|exploitation)\s+(?:concerns?|markers?|flags?|risk)"},
        # goods or cash a child cannot account for, and a debt to an adult
        {"pattern": r"(?:new|expensive|designer|branded)\s+(?:designer\s+)?(?:gear|trainers|clothes|phones?|iphone|"
                    r"jewellery|bike|watch|coat|jacket)\b[^.;]{0,40}?(?:(?:she|he|they|mum|dad|parents?|carers?|i|we)\s+"
                    r"(?:didn'?t|did\s+not|hasn'?t|never)\s+(?:buy|bought|give|pay)|can'?t\s+(?:explain|account)|"
                    r"won'?t\s+say\s+where)|(?:£\s?\d+|wads?\s+of|large\s+amounts?\s+of)\s*(?:in\s+)?cash\b[^.;]{0,40}?"
                    r"phones?|owes?\s+(?:him|them|the\s+\w+)\s+(?:now|money)|(?:says?|said|thinks?|told)\s+(?:that\s+)?"
                    r"(?:she|he|they)\s+owes?\s+(?:him|them|her)|in\s+exchange\s+for|be\s+nice\s+to\s+(?:his|their)\s+"
                    r"(?:mates|friends)|(?:looks?|looking)\s+after\s+(?:me|him|her)\b[^.;]{0,20}?owes?",
         "requires": CHILD_CONTEXT, "window": 200},
        # an adult after a child online: her age, what she wears, pictures, gifts of game currency, lifts
        {"pattern": r"ask(?:s|ed|ing)?\s+(?:her|him)\s+(?:her|his)?\s*(?:age|how\s+old)|what\s+(?:she'?s|he'?s|"
                    r"she\s+is|he\s+is|she\s+was|he\s+was)\s+wearing|(?:ask(?:s|ed|ing)?|want(?:s|ed)?|beg\w*)\s+(?:(?:her|him)\s+)?"
                    r"(?:for\s+)?(?:a|an|some|more)\s+(?:pic|photo|picture|selfie|video|snap)s?\b|"
                    r"(?:sent|sending|gave|given|giving|buying|bought)\s+(?:her|him)\s+(?:v[\s-]?bucks|robux|"
                    r"gift\s+cards?|vouchers|skins|game\s+credit|in[\s-]game)|(?:giving|gives|gave|given|offering|"
                    r"offers|offered)\s+(?:[\w-]+\s+){0,2}(?:lifts|rides)\s+to",
         "requires": CHILD_CONTEXT, "window": 160},
        # the pictures go out unless the victim pays or sends more (sextortion)
        {"pattern": r"(?:send|sent|pay)\s+more\s+or\b|\bor\s+(?:they|it|the\s+\w+)\s+(?:go|goes|get\s+sent|gets\s+sent|"
                    r"will\s+go|'ll\s+go|will\s+be\s+(?:sent|posted|shared)|'ll\s+be\s+(?:sent|posted|shared))\s+"
                    r"(?:out\s+)?(?:to|on|online)|demand(?:s|ed|ing)?\s+(?:£\s?\d+\s+|\d+\s*(?:pounds|quid)\s+)?(?:in\s+)?"
                    r"(?:amazon\s+|steam\s+|itunes\s+|apple\s+)?(?:vouchers|gift\s+cards|bitcoin|crypto)|(?:send|share|post|leak)\w*\s+(?:them|it|the\s+\w+)\s+to\s+"
                    r"(?:her|his|my|their)\s+(?:whole\s+|entire\s+)?(?:contacts|followers|friends\s+list|school|college|"
                    r"work|employer|boss)"},
        # pictures of children kept on a device
        {"pattern": r"(?:images|pictures|photos|videos|pics)\s+of\s+(?:young\s+|little\s+|small\s+)?(?:kids|children|"
                    r"girls|boys|a\s+child)\b[^.;]{0,60}?(?:on\s+(?:his|her|their|the|a)\s+(?:\w+'?s\s+)?(?:ipad|laptop|"
                    r"phone|computer|tablet|hard\s+drive|pc|usb)|folders?|downloaded|hidden)"},
        # a vulnerable adult's home or money taken over (cuckooing, benefits handed over)
        {"pattern": r"foot\s+traffic|people\s+coming\s+and\s+going|comings\s+and\s+goings|(?:not|isn'?t|isnt)\s+"
                    r"allowed\s+(?:in|into|back\s+in)\s+(?:his|her|their)\s+(?:own\s+)?(?:bedroom|room|flat|house|home|"
                    r"kitchen)|(?:they'?ve|they\s+have|have)\s+(?:got|taken|took)\s+(?:his|her|their)\s+(?:keys|key|bank\s+"
                    r"cards?|phone)|'friends'|so[\s-]called\s+mates",
         "requires": ["learning disability", "learning disabilities", "learning difficulties", "vulnerable", "autistic",
                      "autism", "tenant", "support worker", "dementia", "elderly", "disabled", "carer", "client"],
         "window": 250},
        {"pattern": r"(?:made|making|forced|forcing|told|pressured|getting)\s+(?:him|her|them)?\s*to\s+(?:draw\s+out|"
                    r"withdraw|hand\s+over|pay\s+over|sign\s+over)|(?:draw|draws|drawing|drew)\s+out\s+(?:his|her|their)\s+"
                    r"(?:pip|benefits|money|pension|wages|universal\s+credit|esa|dla)\b[^.;]{0,60}?(?:hand|give|gives|"
                    r"handing|giving)", "unless": INTIMATE, "unless_window": 120},
    ],
    "breach_of_bail_or_order": [
        {"pattern": r"bail\s+conditions?|conditional\s+bail|court\s+bail|police\s+bail|on\s+bail|bailed"},
        {"pattern": r"breach(?:ed|es|ing)?\s+(?:of\s+)?(?:his|her|their|the|a|its|an)?\s*(?:bail|order|"
                    r"conditions?|injunction|licen[cs]e|curfew|non[\s-]?mol\w*|restraining|court\s+order|"
                    r"dvpo|spo|shpo|cbo)|in\s+breach|(?:possible|potential)\s+breach|contrary\s+to\s+(?:his|her|"
                    r"their|the)\s+(?:bail|conditions|order|licence)"},
        {"pattern": r"restraining\s+order|non[\s-]?mol(?:estation)?(?:\s+order)?|injunction|protection\s+order|"
                    r"protective\s+order|occupation\s+order|stalking\s+protection|sexual\s+harm\s+prevention|"
                    r"sexual\s+risk\s+order|criminal\s+behaviour\s+order|closure\s+order|exclusion\s+(?:zone|"
                    r"order)"},
        {"pattern": r"DVPO|DVPN|DAPO|DAPN|SHPO|SRO|CBO|SPO", "case_sensitive": True},
        {"pattern": r"licen[cs]e\s+conditions?|(?:released|out)\s+on\s+licen[cs]e|recall(?:ed)?\s+to\s+prison"},
        {"pattern": r"curfew", "requires": ["tag", "tagged", "electronic", "bail", "order", "licence",
                                             "license", "court", "conditions", "monitoring"], "window": 60},
        {"pattern": r"(?:electronic|ankle|curfew|gps)\s+tag|tagged",
         "requires": ["curfew", "electronic", "ankle", "probation", "bail", "court", "licence", "monitor",
                      "tag"], "window": 40},
        {"pattern": r"(?:told|ordered|banned|barred)\s+by\s+(?:the\s+)?(?:court|magistrates|judge)|court\b[^.;]{0,30}?"
                    r"(?:to\s+)?(?:stay|keep)\s+(?:away|\d+\s*(?:metres|meters|m|yards|miles))|(?:ban(?:s|ned|ning)?|bar(?:s|red|ring)?)\s+"
                    r"(?:him|her|them)\s+from\s+(?:entering|coming|going|contacting|approaching|being|visiting)|"
                    r"(?:banned|barred)\s+from\s+"
                    r"(?:coming|going|contacting|seeing)|(?:stay|keep)\s+\d+\s*(?:metres|meters|m|yards|miles)\s+(?:away\s+)?"
                    r"from"},
        {"pattern": r"(?:not|isn'?t|wasn'?t|aren'?t)\s+(?:supposed|meant|allowed|permitted)\s+(?:to\s+)?"
                    r"(?:contact|come|go|be|approach|attend|enter|within|near)|(?:should\s+not|shouldn'?t)\s+be\s+"
                    r"(?:here|there|near|within|contacting)|not\s+to\s+(?:contact|attend|enter|approach|go|"
                    r"come)|prohibit(?:s|ed|ing)\s+(?:him|her|them|contact|from)|(?:order|conditions?)\s+(?:to\s+stay\s+"
                    r"away|not\s+to\s+(?:contact|go|attend|approach|enter))"},
        # Classes written from the class: a registered offender's notification duties, and being subject to a
        # named order or condition (including one set out as a prohibition: "no unsupervised contact with")
        {"pattern": r"RSO|MAPPA|ViSOR", "case_sensitive": True},
        {"pattern": r"registered\s+sex\s+offenders?|sex\s+offenders?'?\s+register|notification\s+requirements?|"
                    r"fail(?:ed|s|ing|ure)?\s+(?:to\s+)?(?:notify|sign\s+on|register|report\s+to\s+(?:probation|"
                    r"(?:his|her|their)\s+offender\s+manager))|offender\s+manager|probation\s+officer|"
                    r"subject\s+(?:of|to)\s+(?:a|an)\s+(?:[\w-]+\s+){0,3}(?:order|notice|injunction|conditions|licence)|"
                    r"(?:no|not\s+to\s+have)\s+unsupervised\s+contact", "negatable": False},
    ],
}
