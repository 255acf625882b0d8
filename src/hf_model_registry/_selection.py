"""Choose the default model of one architecture from its Hub candidates.

PURE: candidates and a policy in, a ranked and explained result out. No I/O, no clock,
no environment, so the result depends on nothing but the arguments (not even their order).

A default is what a test generator loads to exercise an architecture: its canonical
checkpoint, loadable by transformers, small enough for a test, open to anyone. The policy
(selection policy v2):

1. Hard filters reject quantized or converted copies, adapters, merges, other libraries,
   private repos, gated repos unless allowed, and models below ``min_downloads``. A task
   is never a reason to reject: an off-task checkpoint only ranks later.
2. Survivors fall into tiers, best first: the **canonical family** (the checkpoint that
   transformers documents for the architecture, or a repo of the same name when that id
   is not listed and nothing marks that repo as a copy, and the other originals of its
   organisation), **other originals**, **derivatives** (a ``base_model:`` tag, an
   embedding library, or name lineage: another candidate's name plus a task suffix such
   as ``-finetuned-sst-2-english``) and **random-weight fixtures**. The best tier with a
   survivor wins.
3. Within it, a checkpoint inside the size budget beats one outside. Among those inside:
   the documented checkpoint, then on-task before off-task (task from ``transformersInfo``,
   else the card), then base before instruction-tuned, then base/small before names that
   say large, then downloads. When none fits, the smallest.
4. Remaining ties are broken by id, so the outcome is fully deterministic.

Beside the default, ``Ranking.test_model`` names the most downloaded random-weight fixture
of the same listing, for fast tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from ._values import Architecture, Candidate

__all__ = [
    "DEFAULT_POLICY",
    "Judgement",
    "ParamsSource",
    "Policy",
    "Ranking",
    "Tier",
    "Verdict",
    "human_size",
    "parse_param_count",
    "rank",
]

ParamsSource = Literal["safetensors", "name"]


@dataclass(frozen=True, slots=True)
class Policy:
    """What makes a good default: a size budget, a popularity floor, gated access, tiers."""

    max_params: int = 2_000_000_000
    min_downloads: int = 1000
    allow_gated: bool = False  # callers set this when a token is configured
    prefer_originals: bool = True  # False: one tier for all but fixtures, by the same keys

    def __post_init__(self) -> None:
        if self.max_params < 0 or self.min_downloads < 0:
            raise ValueError("max_params and min_downloads must not be negative")


DEFAULT_POLICY = Policy()


class Tier(StrEnum):
    """The tiers of survivors, best first (their order is the enum's order)."""

    CANONICAL = "canonical"
    ORIGINAL = "original"
    DERIVATIVE = "derivative"
    FIXTURE = "test fixture"


_TIER_ORDER = {tier: position for position, tier in enumerate(Tier)}


class Verdict(StrEnum):
    """The outcome for one candidate."""

    CHOSEN = "chosen"
    RANKED = "ranked"  # survived the filters, lost the ranking
    REJECTED = "rejected"  # failed a hard filter: never a default


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on one candidate and why.

    ``rank`` is 1 for the chosen candidate, 2, 3, ... for the ranked ones, ``None`` for
    rejected ones. ``params`` is the parameter count used for the size budget and
    ``params_source`` where it came from (``None``: unknown size). ``tier`` names the tier
    of a survivor (``None`` for rejected ones).
    """

    candidate: Candidate
    verdict: Verdict
    reason: str
    rank: int | None = None
    params: int | None = None
    params_source: ParamsSource | None = None
    tier: Tier | None = None


@dataclass(frozen=True, slots=True)
class Ranking:
    """The result for one architecture.

    ``judgements`` holds one entry per distinct candidate id: the chosen one first, then
    the ranked ones best first, then the rejected ones by downloads. ``reason`` explains
    the choice, or why there is none. ``test_model`` is the most downloaded random-weight
    fixture of the listing that transformers can load (``None`` when there is none).
    """

    architecture: Architecture
    judgements: tuple[Judgement, ...]
    chosen: Candidate | None
    reason: str
    test_model: Candidate | None = None


# --- sizes -------------------------------------------------------------------------------

# A size token: "7b", "1.5B", "125m", "8x7b" (mixture of experts: 8 x 7B), "7b1" (BLOOM's
# 7.1B). It must stand alone between separators, so "t5", "e5", "v2", "patch16", "in21k",
# "bge-m3" and "8bit" do not count; "k" is never a size (it means context: "4k").
_SIZE_RE = re.compile(
    r"(?<![A-Za-z0-9.])"
    r"(?:(?P<experts>\d{1,3})[xX])?"
    r"(?P<number>\d{1,5}(?:\.\d{1,3})?)"
    r"(?P<unit>[bBmM])"
    r"(?P<fraction>\d)?"
    r"(?![A-Za-z0-9])"
)
_UNITS = {"b": 10**9, "m": 10**6}


def parse_param_count(model_id: str) -> int | None:
    """Parse a parameter count from a model id's name, or return ``None``.

    ``"EleutherAI/pythia-70m"`` -> 70_000_000, ``"Qwen/Qwen2.5-1.5B"`` -> 1_500_000_000,
    ``"mistralai/Mixtral-8x7B-v0.1"`` -> 56_000_000_000. Only the name after the ``/`` is
    read. When several sizes appear (``...-7B-Instruct-1M``, a 1M-token context), the
    largest wins, because overestimating only makes the budget stricter.
    """
    name = model_id.rpartition("/")[2]
    sizes: list[int] = []
    for match in _SIZE_RE.finditer(name):
        number = Fraction(match["number"])
        if match["fraction"] is not None:
            if "." in match["number"]:
                continue  # "1.5b2" is not a size
            number += Fraction(int(match["fraction"]), 10)
        experts = int(match["experts"]) if match["experts"] else 1
        count = int(number * experts * _UNITS[match["unit"].lower()])
        if count > 0:
            sizes.append(count)
    return max(sizes, default=None)


def human_size(count: int) -> str:
    """A parameter count for people: 1_500_000_000 -> "1.5B", 124_439_808 -> "124M"."""
    for unit, scale in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3)):
        # A little below the unit already rounds up to it: 999.7M shows as "1B", not "1000M".
        if count >= scale - scale // 2000:
            value = count / scale
            text = f"{value:.2f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
            return text + unit
    return str(count)


# --- hard filters ------------------------------------------------------------------------

_QUANTIZED_TAGS = frozenset(
    {
        "gguf",
        "gptq",
        "awq",
        "exl2",
        "4-bit",
        "8-bit",
        "bitsandbytes",
        "mlx",
        "compressed-tensors",
        "fp8",
    }
)
# Quantization markers in a repo name, as whole tokens ("-GGUF", "_4bit", "-AWQ").
_QUANTIZED_NAME_RE = re.compile(
    r"(?<![a-z0-9])(gguf|gptq|awq|exl2|bnb|mlx|[48]-?bits?|int[48]|nf4|fp8|onnx|openvino)"
    r"(?![a-z0-9])"
)
# Formats of converted copies. Many originals ship an ONNX export next to their weights (the
# "onnx" tag on openai-community/gpt2), so these only count when no loadable weights exist.
_CONVERTED_TAGS = frozenset({"onnx", "openvino", "coreml"})
_WEIGHT_TAGS = frozenset({"pytorch", "safetensors", "tf", "jax"})
_MERGE_TAGS = frozenset({"merge", "mergekit"})
# sentence-transformers repos (embeddings and cross-encoders) load with transformers'
# AutoModel, so they are allowed, but they are fine-tunes, never the canonical checkpoint.
_DERIVATIVE_LIBRARIES = frozenset({"sentence-transformers"})
_FIXTURE_ORGS = frozenset({"hf-internal-testing", "trl-internal-testing", "hf-tiny-model-private"})
_FIXTURE_NAME_RE = re.compile(r"tiny[-_]?random|random[-_]?tiny", re.IGNORECASE)


def _base_models(candidate: Candidate, kind: str | None = None) -> list[str]:
    """The ids named by ``base_model:[kind:]<id>`` tags (any kind when ``kind`` is None)."""
    bases = []
    for tag in candidate.tags:
        if not tag.startswith("base_model:"):
            continue
        rest = tag.removeprefix("base_model:")
        tag_kind, sep, base = rest.partition(":")
        if not sep:
            tag_kind, base = "", rest
        if kind is None or tag_kind == kind:
            bases.append(base)
    return sorted(bases)


def _other_bases(candidate: Candidate, kind: str | None = None) -> list[str]:
    """Like ``_base_models``, minus the repo itself: some originals name themselves as base.

    Only the tiers use this; a repo that calls itself a quantized copy is still rejected.
    """
    own = candidate.id.lower()
    return [base for base in _base_models(candidate, kind) if base.lower() != own]


def _rejection(candidate: Candidate, policy: Policy) -> str | None:
    """Why ``candidate`` can never be the default, or ``None`` if it passes every filter.

    What the repo *is* (a copy, adapter, merge, other library) is checked before whether
    it is reachable or popular, since it is the more useful thing to report.
    """
    tags = set(candidate.tags)
    name = candidate.id.rpartition("/")[2].lower()
    library = candidate.library_name

    if quantized_from := _base_models(candidate, "quantized"):
        return f"quantized copy of {quantized_from[0]}"
    if found := sorted(tags & _QUANTIZED_TAGS):
        return f"quantized or converted copy (tag {found[0]!r})"
    if match := _QUANTIZED_NAME_RE.search(name):
        return f"quantized or converted copy ({match[1]!r} in the name)"
    if candidate.quantization is not None:
        return f"quantized weights (config.quantization_config: {candidate.quantization!r})"
    if (converted := sorted(tags & _CONVERTED_TAGS)) and not tags & _WEIGHT_TAGS:
        return f"{converted[0]} conversion without transformers weights"
    if adapter_of := _base_models(candidate, "adapter"):
        return f"adapter for {adapter_of[0]}"
    if library == "peft" or "peft" in tags:
        return "adapter (peft)"
    if merged := _base_models(candidate, "merge"):
        return f"merge of {', '.join(merged[:3])}"
    if found := sorted(tags & _MERGE_TAGS):
        return f"merged model (tag {found[0]!r})"
    if library not in (None, "transformers") and library not in _DERIVATIVE_LIBRARIES:
        return f"library {library!r}, not transformers"
    if candidate.private:
        return "private repository"
    if candidate.gated is not None and not policy.allow_gated:
        return f"gated ({candidate.gated}) and no token"
    if candidate.downloads < policy.min_downloads:
        return f"{candidate.downloads:,} downloads < minimum {policy.min_downloads:,}"
    return None


# --- tiers -------------------------------------------------------------------------------

# Words that, after another model's name, make a task fine-tune of it
# ("-finetuned-sst-2-english", "-squad2", "-ner", "-mnli", "-conll03-english"), and the
# languages a speech or text model is commonly fine-tuned for ("-xlsr-53-english").
_TASK_WORDS = frozenset(
    """
    finetuned tuned finetune ft squad squad2 squadv2 ner pos mnli xnli nli snli anli sst
    sst2 glue cola mrpc qqp qnli rte stsb wnli conll conll03 conll2003 imdb emotion emotions
    sentiment toxic toxicity paws boolq qa vqa docvqa textvqa cnn xsum samsum wtq sqa tabfact
    wikisql nq triviaqa classifier classification summarization summarizer
    librispeech timit commonvoice gender recognition intent
    english german french spanish italian portuguese dutch polish russian ukrainian arabic
    persian turkish chinese japanese korean hindi vietnamese indonesian swedish finnish czech
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_FINETUNE_WORDS = frozenset({"finetuned", "tuned", "finetune", "ft"})  # "fine-tuned" too
# Instruction-tuned variants: an owner's are in the canonical family, after its bases.
_INSTRUCT_WORDS = frozenset({"instruct", "chat", "it", "sft", "dpo", "rlhf", "orpo"})
# Names that say "the big one": base/small siblings within the budget come first.
_LARGE_WORDS = frozenset({"large", "xl", "xxl", "xlarge", "xxlarge", "huge", "giant"})
_SEPARATORS = re.compile(r"[-_.]")


def _name(model_id: str) -> str:
    return model_id.rpartition("/")[2].lower()


def _org(model_id: str) -> str:
    return model_id.partition("/")[0].lower() if "/" in model_id else ""


def _words(name: str) -> set[str]:
    return set(_SEPARATORS.split(name))


def _is_fixture(candidate: Candidate) -> bool:
    return _org(candidate.id) in _FIXTURE_ORGS or _FIXTURE_NAME_RE.search(candidate.id) is not None


def _lineage(name: str, names: frozenset[str]) -> str | None:
    """The other candidate ``name`` extends with a task suffix, or ``None``.

    ``bert-large-cased-finetuned-conll03-english`` extends ``bert-large-cased``;
    ``gpt2-medium`` extends ``gpt2`` with a size, not a task, so it is no fine-tune.
    """
    for match in _SEPARATORS.finditer(name):
        prefix, suffix = name[: match.start()], name[match.end() :]
        if prefix in names and suffix and _words(suffix) & _TASK_WORDS:
            return prefix
    return None


@dataclass(frozen=True, slots=True)
class _Family:
    """What the listing says about the architecture's canonical checkpoint."""

    documented: str | None  # the id to prefer: the documented one, or its same-name stand-in
    orgs: frozenset[str]  # the organisations whose originals form the canonical family
    names: frozenset[str]  # every listed name (lower case), for name lineage


def _family(unique: list[Candidate], architecture: Architecture) -> _Family:
    names = frozenset(_name(c.id) for c in unique)
    doc = architecture.checkpoint
    if doc is None:
        return _Family(None, frozenset(), names)
    orgs = {_org(doc)} - {""}
    found = next((c.id for c in unique if c.id.lower() == doc.lower()), None)
    if found is None:
        # A moved repo keeps its name (google/distilbert-base-uncased now lives at
        # distilbert/distilbert-base-uncased); take the most downloaded of that name
        # that says it is an original. A copy that says so (a base_model tag naming
        # another repo: a re-upload, a quantization, a fine-tune kept under the old
        # name), a fixture or a sentence-transformers wrapper is no stand-in, however
        # popular: it would take the canonical tier and its organisation with it.
        found = next(
            (c.id for c in unique if _name(c.id) == _name(doc) and _says_original(c)), None
        )
    if found is not None:
        orgs |= {_org(found)} - {""}
    return _Family(found, frozenset(orgs), names | {_name(doc)})


def _says_original(candidate: Candidate) -> bool:
    """Whether nothing in the listing item marks it as derived from another repo."""
    return not (
        _is_fixture(candidate)
        or _other_bases(candidate)
        or candidate.library_name in _DERIVATIVE_LIBRARIES
    )


def _family_listed(unique: list[Candidate], family: _Family) -> bool:
    """Whether the listing holds the documented checkpoint or any repo of its organisation."""
    return family.documented is not None or any(_org(c.id) in family.orgs for c in unique)


def _tier(candidate: Candidate, family: _Family, policy: Policy) -> tuple[Tier, str]:
    """The candidate's tier and, when it is not canonical, why."""
    if _is_fixture(candidate):
        return Tier.FIXTURE, "random-weight test fixture; used only when nothing else survives"
    if family.documented == candidate.id:
        return Tier.CANONICAL, ""
    if not policy.prefer_originals:
        return Tier.ORIGINAL, ""
    name = _name(candidate.id)
    in_family = _org(candidate.id) in family.orgs
    if parent := _lineage(name, family.names):
        return Tier.DERIVATIVE, f"{parent} plus a task or language suffix; originals preferred"
    if _words(name) & _FINETUNE_WORDS:
        return Tier.DERIVATIVE, "named as a fine-tune; originals preferred"
    # An owner's own variants (Qwen/Qwen2-1.5B-Instruct names Qwen/Qwen2-1.5B as its base)
    # stay in the family; a base in another organisation makes a derivative.

    def own(base: str) -> bool:
        return in_family and _org(base) in family.orgs

    if finetunes := [b for b in _other_bases(candidate, "finetune") if not own(b)]:
        return Tier.DERIVATIVE, f"fine-tune of {finetunes[0]}; originals preferred"
    if bases := [b for b in _other_bases(candidate) if not own(b)]:
        return Tier.DERIVATIVE, f"derived from {bases[0]}; originals preferred"
    if candidate.library_name in _DERIVATIVE_LIBRARIES:
        return Tier.DERIVATIVE, f"{candidate.library_name} model; originals preferred"
    if in_family:
        return Tier.CANONICAL, ""
    if family.orgs:
        return Tier.ORIGINAL, "not the documented checkpoint's organisation; canonical family first"
    return Tier.ORIGINAL, ""


# --- ranking -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Survivor:
    candidate: Candidate
    tier: Tier
    demotion: str
    params: int | None
    source: ParamsSource | None
    fits: bool
    documented: bool
    on_task: bool
    instruct: bool
    large: bool

    def key(self) -> tuple[int, int, int, int, int, int, int, int, str]:
        """Sort key, best first: tier, fit, then the preferences of the policy."""
        tier = _TIER_ORDER[self.tier]
        if not self.fits:
            assert self.params is not None  # unknown sizes always fit
            return (tier, 1, self.params, 0, 0, 0, 0, -self.candidate.downloads, self.candidate.id)
        return (
            tier,
            0,
            0,
            not self.documented,
            not self.on_task,
            self.instruct,
            self.large,
            -self.candidate.downloads,
            self.candidate.id,
        )


def _size(candidate: Candidate) -> tuple[int | None, ParamsSource | None]:
    if candidate.parameters is not None:
        return candidate.parameters, "safetensors"
    parsed = parse_param_count(candidate.id)
    return (parsed, "name") if parsed is not None else (None, None)


def _dedupe(candidates: Iterable[Candidate]) -> list[Candidate]:
    """One candidate per id, the most downloaded, in a canonical order.

    ``repr`` completes the sort key so that even two differing entries with the same id and
    downloads resolve the same way whatever the input order.
    """
    ordered = sorted(candidates, key=lambda c: (-c.downloads, c.id, repr(c)))
    seen: set[str] = set()
    unique = []
    for candidate in ordered:
        if candidate.id not in seen:
            seen.add(candidate.id)
            unique.append(candidate)
    return unique


def _survivor(
    candidate: Candidate, architecture: Architecture, family: _Family, policy: Policy
) -> _Survivor:
    params, source = _size(candidate)
    tier, demotion = _tier(candidate, family, policy)
    task = candidate.task
    words = _words(_name(candidate.id))
    return _Survivor(
        candidate,
        tier,
        demotion,
        params,
        source,
        fits=params is None or params <= policy.max_params,
        documented=candidate.id == family.documented,
        on_task=not architecture.tasks or task is None or task in architecture.tasks,
        instruct=bool(words & _INSTRUCT_WORDS),
        large=bool(words & _LARGE_WORDS),
    )


def _loss_reason(loser: _Survivor, winner: _Survivor, budget: str, arch: str) -> str:
    """Why ``loser`` ranks below ``winner``: the first preference that tells them apart."""
    if loser.tier != winner.tier:
        return loser.demotion or f"{loser.tier} tier; {winner.tier} tier first"
    if not loser.fits:
        assert loser.params is not None
        size = f"{human_size(loser.params)} parameters"
        if winner.fits:
            return f"{size} > budget {budget}"
        assert winner.params is not None
        if loser.params > winner.params:
            return f"{size}, larger than chosen ({human_size(winner.params)}); none fit {budget}"
    elif winner.documented and not loser.documented:
        return f"the documented checkpoint {winner.candidate.id} comes first"
    elif winner.on_task and not loser.on_task:
        return f"off-task ({loser.candidate.task}) for {arch}; on-task checkpoints first"
    elif loser.instruct and not winner.instruct:
        return "instruction-tuned variant; base checkpoints first"
    elif loser.large and not winner.large:
        return "named as a large variant; base/small checkpoints first"
    if loser.candidate.downloads < winner.candidate.downloads:
        return (
            f"fewer downloads than chosen "
            f"({loser.candidate.downloads:,} < {winner.candidate.downloads:,})"
        )
    return "tied with chosen; id sorts after it"


def _choice_reason(
    winner: _Survivor,
    survivors: list[_Survivor],
    arch: Architecture,
    budget: str,
    family_listed: bool,
    total: int,
) -> str:
    if winner.tier is Tier.FIXTURE:
        prefix = "only random-weight test fixtures survived; "
    elif winner.tier is Tier.DERIVATIVE:
        prefix = "no original survived; "
    elif winner.tier is Tier.ORIGINAL and family_listed:
        prefix = "no checkpoint of the canonical family survived; "
    elif winner.tier is Tier.ORIGINAL and arch.checkpoint is not None:
        prefix = f"the documented {arch.checkpoint} and its organisation are not listed; "
    else:
        prefix = ""
    downloads = f"{winner.candidate.downloads:,} downloads"
    if winner.documented:
        what = f"the documented checkpoint of {arch.name}"
    elif winner.fits and all(
        s.candidate.downloads <= winner.candidate.downloads
        for s in survivors
        if s.tier is winner.tier and s.fits
    ):
        what = f"most downloaded {winner.tier}"
    else:
        what = f"best {winner.tier} by the policy's preferences"
    if winner.fits:
        size = (
            f"{human_size(winner.params)} parameters"
            if winner.params is not None
            else "size unknown"
        )
        core = f"{what} within the {budget} budget ({downloads}, {size})"
    else:
        assert winner.params is not None
        core = (
            f"smallest {winner.tier}, none fit the {budget} budget "
            f"({human_size(winner.params)} parameters, {downloads})"
        )
    if not winner.on_task:
        core += f"; off-task ({winner.candidate.task}) but no on-task checkpoint ranked higher"
    return f"{prefix}{core}; {len(survivors)} of {total} candidates passed the filters"


def _test_model(unique: list[Candidate], policy: Policy) -> Candidate | None:
    """The most downloaded loadable random-weight fixture (downloads do not matter here)."""
    open_policy = replace(policy, min_downloads=0)
    for candidate in unique:  # already by downloads, then id
        if _is_fixture(candidate) and _rejection(candidate, open_policy) is None:
            return candidate
    return None


def rank(
    candidates: Iterable[Candidate],
    architecture: Architecture,
    policy: Policy = DEFAULT_POLICY,
) -> Ranking:
    """Rank an architecture's candidates and choose its default model.

    Every distinct candidate gets a ``Judgement`` with a short reason and, if it survived
    the filters, its tier. Duplicate ids are collapsed to their most downloaded entry. The
    result does not depend on the order of ``candidates``. ``chosen`` is ``None`` only
    when no candidate survives the filters.
    """
    unique = _dedupe(candidates)
    family = _family(unique, architecture)
    budget = human_size(policy.max_params)
    rejected: list[Judgement] = []
    survivors: list[_Survivor] = []
    for candidate in unique:
        reason = _rejection(candidate, policy)
        if reason is not None:
            params, source = _size(candidate)
            rejected.append(Judgement(candidate, Verdict.REJECTED, reason, None, params, source))
            continue
        survivors.append(_survivor(candidate, architecture, family, policy))
    test_model = _test_model(unique, policy)

    if not survivors:
        why = (
            f"no candidates for {architecture.name}"
            if not unique
            else f"all {len(unique)} candidates for {architecture.name} were rejected"
        )
        return Ranking(architecture, tuple(rejected), None, why, test_model)

    survivors.sort(key=_Survivor.key)
    winner = survivors[0]
    judgements = [
        Judgement(
            winner.candidate,
            Verdict.CHOSEN,
            _choice_reason(
                winner, survivors, architecture, budget, _family_listed(unique, family), len(unique)
            ),
            1,
            winner.params,
            winner.source,
            winner.tier,
        )
    ]
    for position, loser in enumerate(survivors[1:], start=2):
        judgements.append(
            Judgement(
                loser.candidate,
                Verdict.RANKED,
                _loss_reason(loser, winner, budget, architecture.name),
                position,
                loser.params,
                loser.source,
                loser.tier,
            )
        )
    return Ranking(
        architecture,
        tuple(judgements + rejected),
        winner.candidate,
        judgements[0].reason,
        test_model,
    )
