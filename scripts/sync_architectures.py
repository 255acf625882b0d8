"""Regenerate ``src/hf_model_registry/data/architectures.json`` from an installed transformers.

The table lists every transformers model type that has a model of its own (it appears in
``MODEL_MAPPING_NAMES`` or one of the ``MODEL_FOR_*`` auto mappings), without the
sub-configs that exist only inside a composite model (``clip_text_model``,
``qwen2_vl_text``, ``gemma3n_audio``, ...). For each type it records the registry key, the
Hub tag, a category, the Hub pipeline tags its auto classes support and the reference
checkpoint its configuration class documents (see ``documented_checkpoint``), unless that
is a placeholder or was copied with another model's docstring (``checkpoint_owners``).

This script installs nothing; run it with a transformers of your choosing (torch is not
needed: the auto mappings and config classes import without it)::

    python -m venv /tmp/tf && /tmp/tf/bin/pip install transformers && \
        /tmp/tf/bin/python scripts/sync_architectures.py

Options: ``--output PATH`` writes elsewhere; ``--check`` writes nothing and exits 1 when
the committed file differs from what this transformers would generate.

When a new transformers adds an auto mapping this script does not know, it stops and
names it: add the mapping to ``TASKS`` (and, if it decides a category, to
``CATEGORY_RULES``) rather than guessing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "src" / "hf_model_registry" / "data" / "architectures.json"

# Registry keys must satisfy the same rule as ``_architectures.validate_model_type``.
KEY_RE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")

# --------------------------------------------------------------------------------------
# Tasks: auto mapping (``MODEL_FOR_<HEAD>_MAPPING_NAMES`` -> HEAD) -> Hub pipeline tags.
# Used to reject candidates whose pipeline tag is outside an architecture's family, so a
# tag too many costs little and a tag too few hides the right default: err generous.
# An empty tuple means the head has no Hub pipeline tag of its own.
# --------------------------------------------------------------------------------------
TASKS: dict[str, tuple[str, ...]] = {
    "MODEL": ("feature-extraction",),
    "PRETRAINING": (),  # pretraining heads are not a pipeline
    "TEXT_ENCODING": ("feature-extraction", "sentence-similarity"),
    # text
    "CAUSAL_LM": ("text-generation",),
    "MASKED_LM": ("fill-mask",),
    "SEQ_TO_SEQ_CAUSAL_LM": ("text2text-generation", "translation", "summarization"),
    "SEQUENCE_CLASSIFICATION": ("text-classification", "zero-shot-classification"),
    "TOKEN_CLASSIFICATION": ("token-classification",),
    "QUESTION_ANSWERING": ("question-answering",),
    "TABLE_QUESTION_ANSWERING": ("table-question-answering",),
    "MULTIPLE_CHOICE": ("multiple-choice",),
    "NEXT_SENTENCE_PREDICTION": (),  # a pretraining objective, no pipeline
    "DECISION": (),  # transformers' own "decision" pipeline has no Hub tag
    # vision
    "IMAGE": ("image-feature-extraction",),
    "BACKBONE": ("image-feature-extraction",),
    "IMAGE_CLASSIFICATION": ("image-classification",),
    "MASKED_IMAGE_MODELING": (),  # a pretraining objective, no pipeline
    "CAUSAL_IMAGE_MODELING": ("unconditional-image-generation",),
    "IMAGE_SEGMENTATION": ("image-segmentation",),
    "SEMANTIC_SEGMENTATION": ("image-segmentation",),
    "INSTANCE_SEGMENTATION": ("image-segmentation",),
    "UNIVERSAL_SEGMENTATION": ("image-segmentation",),
    "IMAGE_MATTING": ("image-segmentation",),
    "OBJECT_DETECTION": ("object-detection",),
    "DEPTH_ESTIMATION": ("depth-estimation",),
    # Dense geometry has no Hub tag of its own; such repos use either of these.
    "NORMAL_ESTIMATION": ("depth-estimation", "image-to-image"),
    "POINTMAP_ESTIMATION": ("depth-estimation", "image-to-image"),
    "POSE_ESTIMATION": ("keypoint-detection",),
    "KEYPOINT_DETECTION": ("keypoint-detection",),
    "KEYPOINT_MATCHING": ("keypoint-detection", "keypoint-matching"),
    "MASK_GENERATION": ("mask-generation",),
    "IMAGE_TO_IMAGE": ("image-to-image",),
    "TEXT_RECOGNITION": ("image-to-text",),
    "TABLE_RECOGNITION": ("image-to-text",),
    "VIDEO_CLASSIFICATION": ("video-classification",),
    # vision + text
    "ZERO_SHOT_IMAGE_CLASSIFICATION": ("zero-shot-image-classification",),
    "ZERO_SHOT_OBJECT_DETECTION": ("zero-shot-object-detection",),
    "RETRIEVAL": ("visual-document-retrieval",),
    "IMAGE_TEXT_TO_TEXT": ("image-text-to-text", "visual-question-answering", "image-to-text"),
    "VISION_2_SEQ": ("image-text-to-text", "image-to-text"),  # transformers 4.x name
    "VISUAL_QUESTION_ANSWERING": ("visual-question-answering",),
    "DOCUMENT_QUESTION_ANSWERING": ("document-question-answering",),
    "MULTIMODAL_LM": ("any-to-any",),  # plus audio-text-to-text, see tasks_for()
    # speech and audio
    "CTC": ("automatic-speech-recognition",),
    "SPEECH_SEQ_2_SEQ": ("automatic-speech-recognition",),
    "RNNT": ("automatic-speech-recognition",),
    "TDT": ("automatic-speech-recognition",),
    "AUDIO_CLASSIFICATION": ("audio-classification",),
    "AUDIO_FRAME_CLASSIFICATION": ("audio-classification", "voice-activity-detection"),
    "AUDIO_XVECTOR": ("audio-classification",),
    "TEXT_TO_SPECTROGRAM": ("text-to-speech", "text-to-audio"),
    "TEXT_TO_WAVEFORM": ("text-to-speech", "text-to-audio"),
    "AUDIO_TOKENIZATION": ("feature-extraction",),  # codecs; the Hub tags them this way
    # time series
    "TIME_SERIES_CLASSIFICATION": ("time-series-forecasting",),
    "TIME_SERIES_REGRESSION": ("time-series-forecasting",),
    "TIME_SERIES_PREDICTION": ("time-series-forecasting",),
}

# Heads that every kind of model registers (a bare model, a backbone, a pretraining
# wrapper): being in them alone neither makes a type standalone nor decides its category.
STRUCTURAL_HEADS = frozenset({"MODEL", "IMAGE", "BACKBONE", "TEXT_ENCODING", "PRETRAINING"})

VISION_HEADS = frozenset(
    {
        "IMAGE_CLASSIFICATION",
        "OBJECT_DETECTION",
        "IMAGE_SEGMENTATION",
        "SEMANTIC_SEGMENTATION",
        "INSTANCE_SEGMENTATION",
        "UNIVERSAL_SEGMENTATION",
        "IMAGE_MATTING",
        "DEPTH_ESTIMATION",
        "NORMAL_ESTIMATION",
        "POINTMAP_ESTIMATION",
        "POSE_ESTIMATION",
        "KEYPOINT_DETECTION",
        "KEYPOINT_MATCHING",
        "MASK_GENERATION",
        "IMAGE_TO_IMAGE",
        "MASKED_IMAGE_MODELING",
        "CAUSAL_IMAGE_MODELING",
        "TEXT_RECOGNITION",
        "TABLE_RECOGNITION",
        "BACKBONE",
        "IMAGE",
    }
)

# --------------------------------------------------------------------------------------
# Category: the first rule whose heads meet the type's heads wins. The order carries the
# judgement, so each rule says why it stands where it does.
# --------------------------------------------------------------------------------------
CATEGORY_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    # An LM that reads images is a VLM whatever text heads it also has (gemma3, paligemma,
    # llava); document QA models read the page image too.
    (
        "multimodal",
        frozenset(
            {
                "IMAGE_TEXT_TO_TEXT",
                "VISION_2_SEQ",
                "VISUAL_QUESTION_ANSWERING",
                "DOCUMENT_QUESTION_ANSWERING",
            }
        ),
    ),
    # Speech in: before the audio rule so speecht5 (ASR and TTS) is speech, and before the
    # text rules so whisper (which also has a causal decoder head) is not decoder-only.
    (
        "speech",
        frozenset(
            {
                "CTC",
                "SPEECH_SEQ_2_SEQ",
                "RNNT",
                "TDT",
                "AUDIO_CLASSIFICATION",
                "AUDIO_FRAME_CLASSIFICATION",
                "AUDIO_XVECTOR",
            }
        ),
    ),
    # Any-to-any and audio-text LMs without an ASR head (qwen2_audio, the omni models).
    ("multimodal", frozenset({"MULTIMODAL_LM"})),
    # Audio out: TTS, music and codecs (musicgen also has a causal head).
    ("audio", frozenset({"TEXT_TO_WAVEFORM", "TEXT_TO_SPECTROGRAM", "AUDIO_TOKENIZATION"})),
    (
        "time-series",
        frozenset(
            {"TIME_SERIES_CLASSIFICATION", "TIME_SERIES_REGRESSION", "TIME_SERIES_PREDICTION"}
        ),
    ),
    ("video", frozenset({"VIDEO_CLASSIFICATION"})),
    # Before vision: clip and siglip also have an image-classification head.
    (
        "vision-text",
        frozenset({"ZERO_SHOT_IMAGE_CLASSIFICATION", "ZERO_SHOT_OBJECT_DETECTION", "RETRIEVAL"}),
    ),
    # Before the decoder rule: bart, marian and pegasus also register a causal decoder head.
    ("encoder-decoder", frozenset({"SEQ_TO_SEQ_CAUSAL_LM"})),
    # Before the decoder rule: BERT-likes register a causal head too (BertLMHeadModel), so
    # "masked LM without a causal head" would lose bert, roberta and electra.
    (
        "encoder-only",
        frozenset(
            {"MASKED_LM", "MULTIPLE_CHOICE", "NEXT_SENTENCE_PREDICTION", "TABLE_QUESTION_ANSWERING"}
        ),
    ),
    ("decoder-only", frozenset({"CAUSAL_LM"})),
    ("vision", VISION_HEADS),
    # Text models with classification or QA heads only (canine, lilt, markuplm).
    (
        "encoder-only",
        frozenset(
            {
                "SEQUENCE_CLASSIFICATION",
                "TOKEN_CLASSIFICATION",
                "QUESTION_ANSWERING",
                "TEXT_ENCODING",
            }
        ),
    ),
)

CATEGORIES = (
    "encoder-only",
    "decoder-only",
    "encoder-decoder",
    "vision",
    "vision-text",
    "speech",
    "audio",
    "multimodal",
    "video",
    "time-series",
    "other",
)

# Heads of models that read images and write text.
IMAGE_TEXT_HEADS = frozenset({"IMAGE_TEXT_TO_TEXT", "VISION_2_SEQ"})

# Categories of text models, whose bare model is also used for sentence embeddings.
TEXT_CATEGORIES = frozenset({"encoder-only", "decoder-only", "encoder-decoder"})

# --------------------------------------------------------------------------------------
# Overrides, for types whose auto mappings say nothing about what they are (only a bare
# model or a pretraining wrapper) or say something misleading: category, extra tasks.
# --------------------------------------------------------------------------------------
OVERRIDES: dict[str, tuple[str, tuple[str, ...]]] = {
    "aimv2": ("vision-text", ("zero-shot-image-classification",)),
    # Audio LLMs registered as seq2seq LMs only.
    "audioflamingo3": ("multimodal", ("audio-text-to-text",)),
    "autoformer": ("time-series", ("time-series-forecasting",)),
    "bridgetower": ("vision-text", ()),
    "clap": ("audio", ("zero-shot-audio-classification",)),
    "clvp": ("audio", ("text-to-speech",)),
    "colqwen2": ("vision-text", ("visual-document-retrieval",)),
    "decision_transformer": ("other", ("reinforcement-learning",)),
    "dia": ("audio", ("text-to-speech", "text-to-audio")),  # TTS, registered as speech seq2seq
    "dpr": ("encoder-only", ()),
    "embedding_gemma2": ("encoder-only", ()),
    "encodec": ("audio", ()),
    "flava": ("vision-text", ()),
    "glm_image": ("multimodal", ("text-to-image",)),
    "groupvit": ("vision-text", ("zero-shot-image-classification",)),
    "informer": ("time-series", ("time-series-forecasting",)),
    "lxmert": ("vision-text", ("visual-question-answering",)),  # not a text-only QA model
    "mgp-str": ("vision", ("image-to-text",)),
    "mimi": ("audio", ()),
    "moshi": ("speech", ("audio-to-audio",)),  # a speech dialogue model, not a text LM
    "muse_glimmer_assistant": ("decoder-only", ("text-generation",)),  # a draft model
    "pe_audio": ("audio", ("zero-shot-audio-classification",)),  # audio-text contrastive
    "pe_audio_video": ("multimodal", ()),
    "pe_video": ("video", ()),
    "musicflamingo": ("multimodal", ("audio-text-to-text",)),
    "pixtral": ("vision", ("image-feature-extraction",)),
    "pop2piano": ("audio", ("audio-to-audio",)),  # music generation, registered as speech seq2seq
    "radio": ("vision", ("image-feature-extraction",)),
    "sam3": ("vision", ("mask-generation",)),
    "sam3_lite_text": ("vision", ("mask-generation",)),
    "sam3_tracker_video": ("vision", ("mask-generation",)),
    "seggpt": ("vision", ("image-segmentation",)),
    "time_series_transformer": ("time-series", ("time-series-forecasting",)),
    "tvp": ("video", ()),
    "univnet": ("audio", ("text-to-audio",)),
    "uvdoc": ("vision", ("image-to-image",)),
    "vibevoice": ("audio", ()),  # TTS first; its speech seq2seq head serves the TTS model
    "vision-text-dual-encoder": ("vision-text", ("zero-shot-image-classification",)),
    "visual_bert": ("vision-text", ("visual-question-answering",)),
    "xclip": ("video", ("video-classification",)),
    "xcodec": ("audio", ()),
}

# Registry names of the original tool and other names people use for a type; generated
# aliases (``gpt_neo`` -> ``gpt-neo``) are added on top.
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "gptj": ("gpt-j",),
    "audio-spectrogram-transformer": ("ast",),
    "deberta-v2": ("deberta-v3",),  # DeBERTa-v3 checkpoints are model type deberta-v2
    "t5": ("flan-t5",),  # so are Flan-T5's
    "llama": ("llama2", "llama3"),
}

# The name of a part of a composite model.
PART_SUFFIX = re.compile(
    r"_(?:text|vision|audio)(?:_model|_encoder)?$|_(?:encoder|decoder|qformer|model)$"
)

MAPPING_NAME = re.compile(r"^MODEL(?:_FOR_(?P<head>\w+?))?(?:_MAPPING)?_NAMES$")

# The target of a markdown link to huggingface.co: ``[text](https://huggingface.co/<path>)``.
HUB_LINK = re.compile(r"\]\(https?://huggingface\.co/([^)\s]*)\)")

# First path segments of huggingface.co pages that are not a user's or an organisation's
# repos (``/papers/2305.13245``, ``/docs/transformers``, ``/datasets/...``); reserved by
# the Hub, so no organisation can be called that.
NOT_A_NAMESPACE = frozenset(
    {
        "api",
        "blog",
        "collections",
        "datasets",
        "docs",
        "join",
        "learn",
        "login",
        "models",
        "organizations",
        "papers",
        "posts",
        "pricing",
        "settings",
        "spaces",
        "tasks",
    }
)


def load_heads(modeling_auto: Any) -> dict[str, set[str]]:
    """Model type -> the heads (auto mappings) it appears in."""
    heads: dict[str, set[str]] = {}
    unknown = []
    # dir(), not vars(): transformers may hand out a lazy module that fills in on access.
    for attr in sorted(dir(modeling_auto)):
        match = MAPPING_NAME.match(attr)
        if match is None:
            continue
        head = match["head"] or "MODEL"
        if head not in TASKS:
            unknown.append(attr)
            continue
        for model_type in getattr(modeling_auto, attr):
            heads.setdefault(model_type, set()).add(head)
    if unknown:
        sys.exit(f"unknown auto mappings {unknown}: add them to TASKS in {__file__}")
    return heads


def declared_sub_configs(config_mapping: Any) -> set[str]:
    """Types whose config class another config names in its ``sub_configs``."""
    type_of: dict[type, list[str]] = {}
    for model_type in config_mapping:
        type_of.setdefault(config_mapping[model_type], []).append(model_type)
    found: set[str] = set()
    for model_type in config_mapping:
        sub_configs = getattr(config_mapping[model_type], "sub_configs", None) or {}
        for sub in sub_configs.values():
            found.update(t for t in type_of.get(sub, ()) if t != model_type)
    return found


def _nested_types(value: Any, config_base: type, depth: int = 0) -> Iterator[str]:
    """Model types of the configs inside ``value`` (a config, dict or list), a few levels deep."""
    if depth > 3:
        return
    items: Iterable[Any]
    if isinstance(value, config_base):
        yield str(getattr(value, "model_type", ""))
        items = vars(value).values()
    elif isinstance(value, Mapping):
        if isinstance(value.get("model_type"), str):
            yield value["model_type"]
        items = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return
    for item in items:
        yield from _nested_types(item, config_base, depth + 1)


def default_nested_types(config_mapping: Any, config_base: type) -> set[str]:
    """Types that appear inside another type's default config (``audio_config`` etc.).

    This catches parts declared as ``AutoConfig`` sub-configs, which ``sub_configs`` does
    not name; it also catches full models reused as parts (llama inside llava), which is
    why it is only trusted together with a part-like name.
    """
    found: set[str] = set()
    for model_type in config_mapping:
        try:
            config = config_mapping[model_type]()
        except Exception:  # some configs cannot be built without arguments; skip them
            continue
        for attr_value in vars(config).values():
            found.update(t for t in _nested_types(attr_value, config_base) if t != model_type)
    return found


def find_sub_configs(
    heads: Mapping[str, set[str]],
    declared: set[str],
    nested: set[str],
    module_of: Mapping[str, str],
) -> set[str]:
    """The types to leave out: parts of a composite model with no task head of their own.

    A type with a task head (``gemma3_text`` has ``Gemma3ForCausalLM``) stays: checkpoints
    of that type exist on the Hub on their own. A headless type is a part when another
    config declares its class as a sub-config, or when it has a part's name
    (``_vision_model``, ``_encoder``, ...) and either sits inside another type's default
    config or lives in another type's module (``mimi_encoder`` in ``mimi``).
    """
    parts = set()
    for model_type, its_heads in heads.items():
        if its_heads - STRUCTURAL_HEADS:
            continue
        if model_type in declared:
            parts.add(model_type)
            continue
        if not PART_SUFFIX.search(model_type):
            continue
        module = module_of.get(model_type, model_type)
        if model_type in nested or (module != model_type.replace("-", "_") and module in heads):
            parts.add(model_type)
    return parts


def documented_checkpoint(docstring: str | None) -> str | None:
    """The reference checkpoint a configuration class's docstring names, or None.

    transformers writes it as ``[org/name](https://huggingface.co/org/name)`` in the first
    paragraph ("... a similar configuration to that of the [google-bert/bert-base-uncased]
    (...)"). The rule: the first markdown link whose target is a huggingface.co page of
    exactly ``org/name`` (query, fragment and a trailing slash aside) under a namespace
    that can hold repos (not ``papers``, ``docs``, ``datasets``, ...), and that passes
    the package's own ``validate_model_id``. The URL, not the link text, decides: it is
    what a reader would open. Single-segment targets are refused: in transformers 5.24
    they are only placeholders of the docstring template (``[None](.../None)``, ``[](...)``,
    timm's architecture name ``[resnet50](.../resnet50)``), never a legacy model id.
    Placeholders of an unpublished checkpoint (``is_placeholder``) are skipped too.
    Whether the checkpoint is the architecture's own or copied with another model's
    docstring is decided across architectures, by ``checkpoint_owners``.
    """
    validate = package_attr("hf_model_registry._candidates", "validate_model_id")
    invalid = package_attr("hf_model_registry._errors", "InvalidModelId")
    for target in HUB_LINK.findall(docstring or ""):
        path = target.split("#", 1)[0].split("?", 1)[0].rstrip("/")
        parts = path.split("/")
        if len(parts) != 2 or parts[0] in NOT_A_NAMESPACE:
            continue
        try:
            model_id = str(validate(path))
        except invalid:
            print(f"warning: documented checkpoint {path!r} is not a model id", file=sys.stderr)
            continue
        if is_placeholder(model_id):
            print(f"warning: documented checkpoint {model_id!r} is a placeholder", file=sys.stderr)
            continue
        return model_id
    return None


# Words that mark a link target as a stand-in for a checkpoint not yet published
# (``PaddlePaddle/Not_yet_released`` in transformers 5.24). Matched against the normalised
# id (see ``normalise``) so ``Not-Yet-Released`` and ``not_yet_released`` are one word;
# the short ones only as a whole part of the id, where they cannot be part of a real name.
PLACEHOLDER_PHRASES = ("notyetreleased", "tobereleased", "comingsoon", "placeholder")
PLACEHOLDER_PARTS = frozenset({"todo", "tbd", "tba", "fixme", "xxx", "none", "null"})

# What ``normalise`` drops: the separators model types and repo names spell differently
# (``qwen2_5_vl`` / ``Qwen2.5-VL``, ``sew-d`` / ``sew_d``).
SEPARATORS = re.compile(r"[-_./]")


def normalise(name: str) -> str:
    """A model type or model id, lower case, without ``-``, ``_``, ``.`` and ``/``."""
    return SEPARATORS.sub("", name.lower())


def is_placeholder(model_id: str) -> bool:
    """True for an id that stands in for an unpublished checkpoint (``org/Not_yet_released``)."""
    parts = {part.lower() for part in SEPARATORS.split(model_id)}
    flat = normalise(model_id)
    return bool(parts & PLACEHOLDER_PARTS) or any(word in flat for word in PLACEHOLDER_PHRASES)


def family(model_type: str) -> str:
    """The leading letters of a model type's first part: ``llava_next`` -> ``llava``."""
    first = SEPARATORS.split(model_type.lower(), maxsplit=1)[0]
    match = re.match(r"[a-z]*", first)
    return match.group(0) if match else ""


def checkpoint_owners(checkpoint: str, sharers: Mapping[str, str]) -> set[str]:
    """Which of the architectures that document one checkpoint it really belongs to.

    ``sharers`` maps each architecture (registry name) that documents ``checkpoint`` to its
    Hub model type (that of its configuration class). A docstring copied from another model
    keeps that model's checkpoint (in transformers 5.24 ``sew`` names
    ``BAAI/seggpt-vit-large``), so when several architectures name one checkpoint the
    checkpoint's own name decides, all names normalised (``normalise``):

    1. Owners: the sharers whose name or Hub model type occurs in the checkpoint id
       (``seggpt`` in ``baaiseggptvitlarge``; ``gpt-sw3``, whose configuration class is
       gpt2's, in ``openaicommunitygpt2``). The checkpoint belongs to them and to the
       sharers whose name contains an owner's: parts and derivatives built on it that
       document it on purpose (``gemma3_text``, ``sam2_video``, ``rt_detr_resnet``).
       The rest are copies (``sew``, ``got_ocr2`` -> ``facebook/sam-vit-huge``,
       ``qwen2_5_vl`` -> ``Qwen/Qwen2-VL-7B-Instruct``).
    2. No owner (version spelt differently: ``llava_next`` -> ``llava-v1.6-...``,
       ``glm4v`` -> ``GLM-4.1V-...``): the sharers whose family (``family``) occurs in the
       checkpoint id keep it (``llava_next``, not ``granite4_vision``).
    3. Neither: nobody keeps it (``granitemoe``, ``granitemoehybrid`` and
       ``granitemoeshared`` -> ``ibm-granite/granite-speech-3.2-8b``). Nothing ties the
       checkpoint to any of them, and a wrong reference checkpoint is worse than none: it
       is served offline as the default and steers selection's canonical family, while
       without one the lookup says it has no offline answer and a refresh finds one.

    A checkpoint documented by one architecture only is not judged here: nothing shows it
    was copied.
    """
    if len(sharers) < 2:
        return set(sharers)
    flat = normalise(checkpoint)
    owners = {
        name
        for name, hub_type in sharers.items()
        if normalise(name) in flat or normalise(hub_type) in flat
    }
    if owners:
        return {
            name for name in sharers if any(normalise(owner) in normalise(name) for owner in owners)
        }
    return {name for name in sharers if family(name) and family(name) in flat}


def disown_copied_checkpoints(entries: list[dict[str, Any]]) -> dict[str, str]:
    """Clear the checkpoints ``checkpoint_owners`` refuses; return name -> the one refused."""
    sharers: dict[str, dict[str, str]] = {}
    for entry in entries:
        if entry["checkpoint"] is not None:
            sharers.setdefault(entry["checkpoint"], {})[entry["name"]] = entry["hub_type"]
    refused: dict[str, str] = {}
    for entry in entries:
        checkpoint = entry["checkpoint"]
        if checkpoint is None:
            continue
        if entry["name"] not in checkpoint_owners(checkpoint, sharers[checkpoint]):
            refused[entry["name"]] = checkpoint
            entry["checkpoint"] = None
    return refused


def categorize(name: str, heads: set[str]) -> str:
    """The category of a type: an override, else the first matching rule, else other."""
    if name in OVERRIDES:
        return OVERRIDES[name][0]
    for category, rule_heads in CATEGORY_RULES:
        if heads & rule_heads:
            return category
    return "other"


def tasks_for(name: str, heads: set[str], category: str) -> list[str]:
    """The sorted Hub pipeline tags of a type's heads (plus overrides)."""
    tasks = {tag for head in heads for tag in TASKS[head]}
    if name in OVERRIDES:
        tasks.update(OVERRIDES[name][1])
    # MULTIMODAL_LM holds both VLMs and audio LMs; one that does not read images reads audio.
    if "MULTIMODAL_LM" in heads and not heads & IMAGE_TEXT_HEADS:
        tasks.add("audio-text-to-text")
    # Sentence-transformers checkpoints of text models carry this tag on the bare model.
    if "MODEL" in heads and category in TEXT_CATEGORIES:
        tasks.add("sentence-similarity")
    return sorted(tasks)


def aliases_for(entries: list[dict[str, Any]]) -> None:
    """Fill in ``aliases``: unique across the table, never another entry's name."""
    names = {entry["name"] for entry in entries}
    wanted: dict[str, list[str]] = {}
    for entry in entries:
        name = entry["name"]
        candidates = [name.replace("_", "-"), name.replace("-", "_")]
        candidates.extend(EXTRA_ALIASES.get(name, ()))
        # A type whose Hub tag differs from its key (mlcd -> mlcd_vision_model).
        candidates.append(entry["hub_type"])
        for alias in candidates:
            if alias != name and alias not in names:
                wanted.setdefault(alias, []).append(name)
    owner: dict[str, str] = {}
    for alias, owners in wanted.items():
        if len(set(owners)) == 1:
            owner[alias] = owners[0]
        else:
            print(f"warning: alias {alias!r} is ambiguous ({owners}); left out", file=sys.stderr)
    for entry in entries:
        entry["aliases"] = sorted(a for a, o in owner.items() if o == entry["name"])
    for alias in owner:
        if not KEY_RE.fullmatch(alias) or ".." in alias:
            sys.exit(f"alias {alias!r} is not a valid registry key")


def build() -> dict[str, Any]:
    """Build the table from the installed transformers."""
    warnings.filterwarnings("ignore")
    import transformers

    # Default configs of some models trip harmless validation warnings; keep the output short.
    transformers.logging.set_verbosity_error()
    from transformers import PretrainedConfig

    # Import the modules by full name: without torch, ``from transformers.models.auto import
    # modeling_auto`` yields a placeholder, while the module itself (plain dicts) imports fine.
    configuration_auto = importlib.import_module("transformers.models.auto.configuration_auto")
    modeling_auto = importlib.import_module("transformers.models.auto.modeling_auto")

    config_mapping = configuration_auto.CONFIG_MAPPING
    heads = load_heads(modeling_auto)
    module_of = {t: configuration_auto.model_type_to_module_name(t) for t in config_mapping}
    parts = find_sub_configs(
        heads,
        declared_sub_configs(config_mapping),
        default_nested_types(config_mapping, PretrainedConfig),
        module_of,
    )
    entries: list[dict[str, Any]] = []
    for name in sorted(set(heads) - parts):
        if not KEY_RE.fullmatch(name) or ".." in name:
            print(f"warning: {name!r} is not a valid registry key; left out", file=sys.stderr)
            continue
        category = categorize(name, heads[name])
        entries.append(
            {
                "name": name,
                "hub_type": str(config_mapping[name].model_type),
                "category": category,
                "tasks": tasks_for(name, heads[name], category),
                "checkpoint": documented_checkpoint(config_mapping[name].__doc__),
            }
        )
    refused = disown_copied_checkpoints(entries)
    if refused:
        print(f"note: refused copied checkpoints {refused}", file=sys.stderr)
    aliases_for(entries)
    unused = set(OVERRIDES) - {entry["name"] for entry in entries}
    if unused:
        print(f"warning: overrides for unknown types {sorted(unused)}", file=sys.stderr)
    undocumented = [entry["name"] for entry in entries if entry["checkpoint"] is None]
    if undocumented:
        print(f"note: no documented checkpoint for {undocumented}", file=sys.stderr)
    others = [entry["name"] for entry in entries if entry["category"] == "other"]
    if others:
        print(f"note: category 'other' for {others}; consider OVERRIDES", file=sys.stderr)
    return {"transformers_version": transformers.__version__, "architectures": entries}


def package_attr(module: str, name: str) -> Any:
    """An attribute of this checkout's package (one definition, used here and at runtime).

    The package's modules used here need only the standard library, so this works in a
    throwaway venv that has transformers but not the package's dependencies.
    """
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    return getattr(importlib.import_module(module), name)


def alias_index(table: Mapping[str, Any]) -> Any:
    """The package's own alias-index derivation."""
    return package_attr("hf_model_registry._architectures", "alias_index")(table)


def alias_index_file() -> str:
    """The alias index's file name, as the package reads it."""
    return str(package_attr("hf_model_registry._architectures", "ALIASES_FILE"))


def render(table: Mapping[str, Any]) -> str:
    """The file's text: indented, sorted keys, so a sync diffs well."""
    return json.dumps(table, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the architecture table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    args = parser.parse_args(argv)
    table_document = build()
    text = render(table_document)
    output: Path = args.output
    # The small alias index the lookup fast path reads instead of the whole table.
    aliases_output = output.with_name(alias_index_file())
    aliases_text = render(alias_index(table_document))
    if args.check:
        for path, expected in ((output, text), (aliases_output, aliases_text)):
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != expected:
                print(f"{path} is out of date; run {Path(__file__).name}", file=sys.stderr)
                return 1
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    for path, content in ((output, text), (aliases_output, aliases_text)):
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    table = json.loads(text)["architectures"]
    counts: dict[str, int] = {}
    for entry in table:
        counts[entry["category"]] = counts.get(entry["category"], 0) + 1
    documented = sum(entry["checkpoint"] is not None for entry in table)
    print(f"wrote {len(table)} architectures to {output} ({documented} with a checkpoint)")
    for category in CATEGORIES:
        print(f"  {category:<16} {counts.get(category, 0)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
