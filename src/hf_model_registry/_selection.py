"""Choose the default model of one architecture from its Hub candidates.

PURE: candidates and a policy in, a ranked and explained result out. No I/O, no clock,
no environment, so the result depends on nothing but the arguments (not even their order).

The policy (DESIGN.md, "Selection policy"):

1. Hard filters reject private repos, gated repos unless allowed, quantized or converted
   copies, adapters, merges, other libraries, tasks outside the architecture's family and
   models below ``min_downloads``.
2. Survivors fall into tiers: originals, then derivatives (anything with a ``base_model:``
   tag), then random-weight test fixtures, which are used only when nothing else survives.
3. In the best non-empty tier: the most downloaded candidate within the size budget
   (unknown size counts as within); if none fits, the smallest, ties by downloads.
4. Remaining ties are broken by id, so the outcome is fully deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from ._models import Architecture, Candidate

__all__ = [
    "DEFAULT_POLICY",
    "Judgement",
    "ParamsSource",
    "Policy",
    "Ranking",
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
    prefer_originals: bool = True

    def __post_init__(self) -> None:
        if self.max_params < 0 or self.min_downloads < 0:
            raise ValueError("max_params and min_downloads must not be negative")


DEFAULT_POLICY = Policy()


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
    ``params_source`` where it came from (``None``: unknown size).
    """

    candidate: Candidate
    verdict: Verdict
    reason: str
    rank: int | None = None
    params: int | None = None
    params_source: ParamsSource | None = None


@dataclass(frozen=True, slots=True)
class Ranking:
    """The result for one architecture.

    ``judgements`` holds one entry per distinct candidate id: the chosen one first, then
    the ranked ones best first, then the rejected ones by downloads. ``reason`` explains
    the choice, or why there is none.
    """

    architecture: Architecture
    judgements: tuple[Judgement, ...]
    chosen: Candidate | None
    reason: str


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
    {"gguf", "gptq", "awq", "exl2", "4-bit", "8-bit", "bitsandbytes", "mlx"}
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
# sentence-transformers repos load with transformers' AutoModel, so they are allowed, but an
# embedding fine-tune is not the canonical checkpoint: they rank in the derivative tier.
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


def _rejection(candidate: Candidate, architecture: Architecture, policy: Policy) -> str | None:
    """Why ``candidate`` can never be the default, or ``None`` if it passes every filter.

    What the repo *is* (a copy, adapter, merge, other library, other task) is checked before
    whether it is reachable or popular, since it is the more useful thing to report.
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
    task = candidate.pipeline_tag
    if architecture.tasks and task is not None and task not in architecture.tasks:
        return f"task {task!r} is outside {architecture.name}'s tasks"
    if candidate.private:
        return "private repository"
    if candidate.gated is not None and not policy.allow_gated:
        return f"gated ({candidate.gated}) and no token"
    if candidate.downloads < policy.min_downloads:
        return f"{candidate.downloads:,} downloads < minimum {policy.min_downloads:,}"
    return None


# --- tiers and ranking -------------------------------------------------------------------

_ORIGINAL, _DERIVATIVE, _FIXTURE = 0, 1, 2
_TIER_NAMES = {_ORIGINAL: "original", _DERIVATIVE: "derivative", _FIXTURE: "test fixture"}


def _is_fixture(candidate: Candidate) -> bool:
    org = candidate.id.partition("/")[0].lower() if "/" in candidate.id else ""
    return org in _FIXTURE_ORGS or _FIXTURE_NAME_RE.search(candidate.id) is not None


def _tier(candidate: Candidate, policy: Policy) -> tuple[int, str]:
    """The candidate's tier and, for a demoted one, the reason it is demoted."""
    if _is_fixture(candidate):
        return _FIXTURE, "random-weight test fixture; used only when nothing else survives"
    if not policy.prefer_originals:
        return _ORIGINAL, ""
    if finetune_of := _other_bases(candidate, "finetune"):
        return _DERIVATIVE, f"fine-tune of {finetune_of[0]}; originals preferred"
    if derived_from := _other_bases(candidate):
        return _DERIVATIVE, f"derived from {derived_from[0]}; originals preferred"
    if candidate.library_name in _DERIVATIVE_LIBRARIES:
        return _DERIVATIVE, f"{candidate.library_name} model; originals preferred"
    return _ORIGINAL, ""


@dataclass(frozen=True, slots=True)
class _Survivor:
    candidate: Candidate
    tier: int
    demotion: str
    params: int | None
    source: ParamsSource | None
    fits: bool


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


def _preference(survivor: _Survivor) -> tuple[int, int, int, int, str]:
    """Sort key, best first: tier, then fitting ones by downloads, then the rest by size."""
    if survivor.fits:
        return (survivor.tier, 0, 0, -survivor.candidate.downloads, survivor.candidate.id)
    assert survivor.params is not None  # unknown sizes always fit
    return (survivor.tier, 1, survivor.params, -survivor.candidate.downloads, survivor.candidate.id)


def _loss_reason(loser: _Survivor, winner: _Survivor, budget: str) -> str:
    """Why ``loser`` ranks below ``winner``, in a few words."""
    if loser.tier != winner.tier:
        return loser.demotion
    if not loser.fits:
        assert loser.params is not None
        size = f"{human_size(loser.params)} parameters"
        if winner.fits:
            return f"{size} > budget {budget}"
        assert winner.params is not None
        if loser.params > winner.params:
            return f"{size}, larger than chosen ({human_size(winner.params)}); none fit {budget}"
    if loser.candidate.downloads < winner.candidate.downloads:
        return (
            f"fewer downloads than chosen "
            f"({loser.candidate.downloads:,} < {winner.candidate.downloads:,})"
        )
    return "tied with chosen; id sorts after it"


def _choice_reason(winner: _Survivor, budget: str, survivors: int, total: int) -> str:
    downloads = f"{winner.candidate.downloads:,} downloads"
    if winner.tier == _FIXTURE:
        prefix = "only random-weight test fixtures survived; "
    elif winner.tier == _DERIVATIVE:
        prefix = "no original survived; "
    else:
        prefix = ""
    tier = _TIER_NAMES[winner.tier]
    if winner.fits:
        size = (
            f"{human_size(winner.params)} parameters"
            if winner.params is not None
            else "size unknown"
        )
        core = f"most downloaded {tier} within the {budget} budget ({downloads}, {size})"
    else:
        assert winner.params is not None
        core = (
            f"smallest {tier}, none fit the {budget} budget "
            f"({human_size(winner.params)} parameters, {downloads})"
        )
    return f"{prefix}{core}; {survivors} of {total} candidates passed the filters"


def rank(
    candidates: Iterable[Candidate],
    architecture: Architecture,
    policy: Policy = DEFAULT_POLICY,
) -> Ranking:
    """Rank an architecture's candidates and choose its default model.

    Every distinct candidate gets a ``Judgement`` with a short reason. Duplicate ids are
    collapsed to their most downloaded entry. The result does not depend on the order of
    ``candidates``. ``chosen`` is ``None`` only when no candidate survives the filters.
    """
    unique = _dedupe(candidates)
    budget = human_size(policy.max_params)
    rejected: list[Judgement] = []
    survivors: list[_Survivor] = []
    for candidate in unique:
        params, source = _size(candidate)
        reason = _rejection(candidate, architecture, policy)
        if reason is not None:
            rejected.append(Judgement(candidate, Verdict.REJECTED, reason, None, params, source))
            continue
        tier, demotion = _tier(candidate, policy)
        fits = params is None or params <= policy.max_params
        survivors.append(_Survivor(candidate, tier, demotion, params, source, fits))

    if not survivors:
        why = (
            f"no candidates for {architecture.name}"
            if not unique
            else f"all {len(unique)} candidates for {architecture.name} were rejected"
        )
        return Ranking(architecture, tuple(rejected), None, why)

    survivors.sort(key=_preference)
    winner = survivors[0]
    judgements = [
        Judgement(
            winner.candidate,
            Verdict.CHOSEN,
            _choice_reason(winner, budget, len(survivors), len(unique)),
            1,
            winner.params,
            winner.source,
        )
    ]
    for position, loser in enumerate(survivors[1:], start=2):
        judgements.append(
            Judgement(
                loser.candidate,
                Verdict.RANKED,
                _loss_reason(loser, winner, budget),
                position,
                loser.params,
                loser.source,
            )
        )
    return Ranking(
        architecture, tuple(judgements + rejected), winner.candidate, judgements[0].reason
    )
