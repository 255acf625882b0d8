"""Plain value types shared by the layers: a Hub candidate and an architecture."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Architecture", "Candidate"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One model repository as listed by the Hub, already validated.

    ``parameters`` is the sum of ``safetensors.parameters`` when the Hub knows it,
    else ``None`` (selection may then parse a size from the id).
    ``gated`` is ``None`` for an open repo, else the Hub's mode (``"auto"``/``"manual"``).
    ``auto_model`` and ``transformers_task`` come from the Hub's ``transformersInfo`` (what
    transformers loads: ``AutoModelForCausalLM``, ``text-generation``), which can differ from
    the card's ``pipeline_tag``. ``quantization`` is ``config.quantization_config``'s
    ``quant_method`` (or ``"unknown"``) when the config declares one, else ``None``.
    """

    id: str
    downloads: int = 0
    likes: int = 0
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    library_name: str | None = None
    gated: str | None = None
    private: bool = False
    parameters: int | None = None
    last_modified: str | None = None
    auto_model: str | None = None
    transformers_task: str | None = None
    quantization: str | None = None

    @property
    def task(self) -> str | None:
        """The task transformers loads the repo for, else the card's ``pipeline_tag``."""
        return self.transformers_task or self.pipeline_tag


@dataclass(frozen=True, slots=True)
class Architecture:
    """One transformers model type.

    ``name`` is the registry key, ``hub_type`` the Hub tag (``config.model_type``),
    ``tasks`` the pipeline tags its auto classes support (empty: unknown, allow all),
    ``aliases`` other registry names that mean the same architecture (``gpt-j``),
    ``checkpoint`` the reference checkpoint its transformers configuration class documents
    (``google-bert/bert-base-uncased``), or ``None`` when it names none.
    """

    name: str
    hub_type: str
    category: str = "other"
    tasks: frozenset[str] = field(default_factory=frozenset)
    aliases: tuple[str, ...] = ()
    checkpoint: str | None = None
