"""What the original ``find_models`` tool and its clients used: their names and tables.

Data only (standard library, no I/O), shared by the legacy module and by the
registry writers, which keep the original's key spellings (``gpt-j``, not
``gptj``) so that the original's clients keep finding their entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = [
    "ORIGINAL_ARCHITECTURE_TYPES",
    "ORIGINAL_CLASS_NAME_CAPITALIZATION",
    "ORIGINAL_NAMES",
    "registry_key",
    "with_registry_keys",
]

# The original's categories and their names, in its order: its get_architecture_type
# answers with the first category holding a name that occurs in the given type, so
# the order is part of the contract. Some names sit in two categories, as there.
ORIGINAL_ARCHITECTURE_TYPES: dict[str, tuple[str, ...]] = {
    "encoder-only": (
        "bert",
        "distilbert",
        "roberta",
        "electra",
        "camembert",
        "xlm-roberta",
        "deberta",
        "albert",
        "ernie",
        "rembert",
    ),
    "decoder-only": (
        "gpt2",
        "gpt-j",
        "gpt-neo",
        "gpt-neox",
        "bloom",
        "llama",
        "mistral",
        "falcon",
        "phi",
        "mixtral",
        "mpt",
        "gemma",
        "opt",
        "codegen",
    ),
    "encoder-decoder": (
        "t5",
        "bart",
        "pegasus",
        "mbart",
        "longt5",
        "led",
        "marian",
        "mt5",
        "flan",
        "prophetnet",
    ),
    "vision": (
        "vit",
        "swin",
        "deit",
        "beit",
        "convnext",
        "poolformer",
        "dinov2",
        "segformer",
        "detr",
        "yolos",
        "mask2former",
    ),
    "vision-text": (
        "vision-encoder-decoder",
        "vision-text-dual-encoder",
        "clip",
        "blip",
        "git",
        "flava",
        "paligemma",
    ),
    "speech": (
        "wav2vec2",
        "hubert",
        "whisper",
        "bark",
        "speecht5",
        "sew",
        "encodec",
        "musicgen",
        "audio",
        "clap",
    ),
    "multimodal": (
        "llava",
        "clip",
        "blip",
        "git",
        "pix2struct",
        "paligemma",
        "video-llava",
        "idefics",
        "imagebind",
    ),
}

# How the original spelled each family in class names. Its lookup tries an exact
# key, then the first key (in this order) that prefixes the type, so order matters.
ORIGINAL_CLASS_NAME_CAPITALIZATION: dict[str, str] = {
    "gpt2": "GPT2",
    "gpt-j": "GPTJ",
    "gpt-neo": "GPTNeo",
    "gpt-neox": "GPTNeoX",
    "t5": "T5",
    "mt5": "MT5",
    "vit": "ViT",
    "deit": "DeiT",
    "beit": "BEiT",
    "clip": "CLIP",
    "blip": "BLIP",
    "bert": "BERT",
    "roberta": "RoBERTa",
    "distilbert": "DistilBERT",
    "bart": "BART",
    "mbart": "MBART",
    "xlm-roberta": "XLMRoBERTa",
    "opt": "OPT",
    "llama": "Llama",
    "led": "LED",
    "flava": "FLAVA",
    "git": "GIT",
    "swin": "Swin",
    "sam": "SAM",
    "hubert": "HuBERT",
    "wav2vec2": "Wav2Vec2",
    "clap": "CLAP",
    "dinov2": "DINOv2",
    "encodec": "EnCodec",
    "musicgen": "MusicGen",
    "whisper": "Whisper",
    "llava": "LLaVA",
    "idefics": "IDEFICS",
    "paligemma": "PaliGemma",
    "imagebind": "ImageBind",
    "convnext": "ConvNeXT",
    "segformer": "SegFormer",
    "mask2former": "Mask2Former",
}

# Hyphenated keys of the original test generator's MODEL_REGISTRY, which its
# registry file and clients use as keys too.
_GENERATOR_NAMES = (
    "blip-2",
    "chinese-clip",
    "deberta-v2",
    "flan-t5",
    "kosmos-2",
    "llava-next",
    "m2m-100",
    "mobilenet-v2",
    "pegasus-x",
    "stable-lm",
    "video-llava",
)

ORIGINAL_NAMES: frozenset[str] = frozenset(
    {name for names in ORIGINAL_ARCHITECTURE_TYPES.values() for name in names}
    | set(ORIGINAL_CLASS_NAME_CAPITALIZATION)
    | set(_GENERATOR_NAMES)
)


def registry_key(name: str, aliases: tuple[str, ...], registry: Mapping[str, object]) -> str:
    """The key under which the entry of registry name ``name`` is stored in ``registry``.

    An existing key keeps its spelling (an original file's ``gpt-j`` stays
    ``gpt-j``); a new entry for one of the original's names takes the original's
    spelling; anything else uses the registry name.
    """
    for key in (name, *aliases):
        if key in registry:
            return key
    if name in ORIGINAL_NAMES:
        return name
    return next((alias for alias in aliases if alias in ORIGINAL_NAMES), name)


_E = TypeVar("_E")


def with_registry_keys(
    registry: Mapping[str, object],
    updates: Mapping[str, _E],
    aliases: Mapping[str, tuple[str, ...]],
) -> dict[str, _E]:
    """``updates`` (keyed by registry name) keyed as ``registry_key`` says."""
    return {
        registry_key(name, aliases.get(name, ()), registry): entry
        for name, entry in updates.items()
    }
