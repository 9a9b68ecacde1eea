"""The action taxonomy of event records: CAMEO's 20 root classes and a verb lexicon onto them.

CAMEO (Conflict and Mediation Event Observations) is the taxonomy GDELT codes events in. Each root
class has a QuadClass (verbal/material × cooperation/conflict) and a Goldstein intensity (-10..10);
the values here are those of the root codes (010, 020, ... 200) in GDELT's Goldstein table.
docs/extractor.md prints this table.
"""

from dataclasses import dataclass

from newsflow_shared.contracts.enrichment import QuadClass


@dataclass(frozen=True)
class RootClass:
    code: str
    action: str
    quad_class: QuadClass
    goldstein: float


_V_COOP, _M_COOP = QuadClass.VERBAL_COOPERATION, QuadClass.MATERIAL_COOPERATION
_V_CONF, _M_CONF = QuadClass.VERBAL_CONFLICT, QuadClass.MATERIAL_CONFLICT
ROOTS: dict[str, RootClass] = {
    r.code: r
    for r in (
        RootClass("01", "make public statement", _V_COOP, 0.0),
        RootClass("02", "appeal", _V_COOP, 3.0),
        RootClass("03", "express intent to cooperate", _V_COOP, 4.0),
        RootClass("04", "consult", _V_COOP, 1.0),
        RootClass("05", "engage in diplomatic cooperation", _V_COOP, 3.5),
        RootClass("06", "engage in material cooperation", _M_COOP, 6.0),
        RootClass("07", "provide aid", _M_COOP, 7.0),
        RootClass("08", "yield", _M_COOP, 5.0),
        RootClass("09", "investigate", _V_CONF, -2.0),
        RootClass("10", "demand", _V_CONF, -5.0),
        RootClass("11", "disapprove", _V_CONF, -2.0),
        RootClass("12", "reject", _V_CONF, -4.0),
        RootClass("13", "threaten", _V_CONF, -4.4),
        RootClass("14", "protest", _M_CONF, -6.5),
        RootClass("15", "exhibit force posture", _M_CONF, -7.2),
        RootClass("16", "reduce relations", _M_CONF, -4.0),
        RootClass("17", "coerce", _M_CONF, -7.0),
        RootClass("18", "assault", _M_CONF, -9.0),
        RootClass("19", "fight", _M_CONF, -10.0),
        RootClass("20", "use unconventional mass violence", _M_CONF, -10.0),
    )
}

# Verb lemma → root code. Reporting verbs (01) yield to an event in the clause they report.
VERBS: dict[str, str] = {
    **dict.fromkeys(
        "say tell announce state declare comment claim note stress add acknowledge confirm report "
        "insist reiterate predict".split(), "01"),
    **dict.fromkeys("appeal urge ask request plead seek petition".split(), "02"),
    **dict.fromkeys("pledge promise offer intend vow commit propose".split(), "03"),
    **dict.fromkeys("meet visit host discuss consult negotiate confer mediate talk".split(), "04"),
    **dict.fromkeys(
        "praise endorse recognize recognise sign agree ally apologize apologise forgive welcome "
        "congratulate thank".split(), "05"),
    **dict.fromkeys("cooperate trade invest train share exchange extradite partner".split(), "06"),
    **dict.fromkeys("aid supply provide donate fund finance deliver rescue shelter help assist".split(), "07"),
    **dict.fromkeys("release free withdraw retreat surrender resign concede ease lift pardon".split(), "08"),
    **dict.fromkeys("investigate probe inspect examine inquire audit".split(), "09"),
    **dict.fromkeys("demand order".split(), "10"),
    **dict.fromkeys(
        "criticize criticise condemn denounce accuse blame slam decry deplore complain sue "
        "charge blast lambast lambaste rebuke".split(), "11"),  # "blast": headline-ese for criticise
    **dict.fromkeys("reject refuse veto deny dismiss rebuff decline oppose defy".split(), "12"),
    **dict.fromkeys("threaten warn".split(), "13"),
    **dict.fromkeys("protest demonstrate rally march boycott picket".split(), "14"),
    **dict.fromkeys("deploy mobilize mobilise mass patrol station".split(), "15"),
    **dict.fromkeys("sanction expel suspend sever freeze recall ban embargo halt".split(), "16"),
    **dict.fromkeys("arrest detain seize confiscate deport raid imprison jail block censor".split(), "17"),
    **dict.fromkeys("assassinate abduct kidnap torture beat stab behead execute hijack".split(), "18"),
    **dict.fromkeys("attack bomb shell strike invade shoot fire fight clash bombard kill occupy".split(), "19"),
    **dict.fromkeys("massacre".split(), "20"),
}
REPORTING = frozenset(lemma for lemma, code in VERBS.items() if code == "01")

# Verb + preposition pairs whose meaning differs from the bare verb: personnel deployed *to* another
# country's territory is aid (CAMEO 074, military protection); deployed near a border, force posture.
VERB_PREPOSITIONS: dict[tuple[str, str], str] = {
    ("deploy", "to"): "07",
    ("send", "to"): "07",
    ("call", "for"): "02",
    ("cut", "off"): "16",
    ("crack", "down"): "17",
    ("hold", "talks"): "04",
    ("impose", "sanction"): "16",  # CAMEO 163, impose embargo or sanctions
    ("impose", "sanctions"): "16",
    ("impose", "embargo"): "16",
    ("impose", "tariff"): "16",
    ("impose", "tariffs"): "16",
    ("lift", "sanction"): "08",  # 081, ease administrative sanctions
    ("lift", "sanctions"): "08",
}


def root_for(lemma: str, prepositions: set[str]) -> RootClass | None:
    """The root class of a verb, given the prepositions (and particles) attached to it."""
    for preposition in sorted(prepositions):
        code = VERB_PREPOSITIONS.get((lemma, preposition))
        if code:
            return ROOTS[code]
    code = VERBS.get(lemma)
    return ROOTS[code] if code else None
