"""Static fallback defaults: the last link of the lookup chain.

Two kinds, hand-checked first:

- ``STATIC_DEFAULTS`` (source ``static``): keys are registry names (transformers
  ``model_type``); aliases such as ``gpt-j`` resolve to them through the architecture
  table. Every id is a canonical, original checkpoint known to exist on the Hub: no GGUF
  copies, no fine-tunes, and where the family has one, a size that runs in a test.
- Otherwise the checkpoint transformers' configuration class documents for the
  architecture (source ``documented``, ``Architecture.checkpoint``). Nobody checked it:
  it may be large (``Qwen/Qwen2-7B``), gated, or a legacy id the Hub redirects; it is
  still a far better offline answer than none.
"""

from __future__ import annotations

from typing import Literal, TypeGuard

__all__ = [
    "STATIC_DEFAULTS",
    "STATIC_SOURCES",
    "StaticSource",
    "is_static_source",
    "static_default",
    "static_fallback",
]

StaticSource = Literal["static", "documented"]

# Registry ``source`` values of entries built offline, never checked against the Hub: a
# floor, not an answer, so lookups and refreshes treat both as due for a refresh.
STATIC_SOURCES: frozenset[str] = frozenset({"static", "documented"})

STATIC_DEFAULTS: dict[str, str] = {
    # encoder-only
    "albert": "albert/albert-base-v2",
    "bert": "google-bert/bert-base-uncased",
    "big_bird": "google/bigbird-roberta-base",
    "camembert": "almanach/camembert-base",
    "canine": "google/canine-s",
    "deberta": "microsoft/deberta-base",
    "deberta-v2": "microsoft/deberta-v3-base",
    "distilbert": "distilbert/distilbert-base-uncased",
    "electra": "google/electra-small-discriminator",
    "funnel": "funnel-transformer/small",
    "layoutlm": "microsoft/layoutlm-base-uncased",
    "layoutlmv3": "microsoft/layoutlmv3-base",
    "longformer": "allenai/longformer-base-4096",
    "mpnet": "microsoft/mpnet-base",
    "roberta": "FacebookAI/roberta-base",
    "squeezebert": "squeezebert/squeezebert-uncased",
    "xlm-roberta": "FacebookAI/xlm-roberta-base",
    "xlnet": "xlnet/xlnet-base-cased",
    # decoder-only
    "biogpt": "microsoft/biogpt",
    "bloom": "bigscience/bloom-560m",
    "codegen": "Salesforce/codegen-350M-mono",
    "falcon": "tiiuae/falcon-7b",
    "gemma": "google/gemma-2b",
    "gemma2": "google/gemma-2-2b",
    "gpt2": "openai-community/gpt2",
    "gpt_bigcode": "bigcode/tiny_starcoder_py",
    "gpt_neo": "EleutherAI/gpt-neo-125m",
    "gpt_neox": "EleutherAI/pythia-160m",
    "gptj": "EleutherAI/gpt-j-6b",
    "llama": "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T",
    "mamba": "state-spaces/mamba-130m-hf",
    "mistral": "mistralai/Mistral-7B-v0.1",
    "mixtral": "mistralai/Mixtral-8x7B-v0.1",
    "mpt": "mosaicml/mpt-7b",
    "olmo": "allenai/OLMo-1B-hf",
    "opt": "facebook/opt-125m",
    "phi": "microsoft/phi-1_5",
    "phi3": "microsoft/Phi-3-mini-4k-instruct",
    "qwen2": "Qwen/Qwen2-0.5B",
    "stablelm": "stabilityai/stablelm-2-1_6b",
    "starcoder2": "bigcode/starcoder2-3b",
    "xglm": "facebook/xglm-564M",
    # encoder-decoder
    "bart": "facebook/bart-base",
    "blenderbot": "facebook/blenderbot-400M-distill",
    "fsmt": "facebook/wmt19-en-de",
    "led": "allenai/led-base-16384",
    "longt5": "google/long-t5-local-base",
    "m2m_100": "facebook/m2m100_418M",
    "marian": "Helsinki-NLP/opus-mt-en-de",
    "mbart": "facebook/mbart-large-cc25",
    "mt5": "google/mt5-small",
    "pegasus": "google/pegasus-large",
    "prophetnet": "microsoft/prophetnet-large-uncased",
    "t5": "google-t5/t5-small",
    # vision
    "beit": "microsoft/beit-base-patch16-224",
    "convnext": "facebook/convnext-tiny-224",
    "deit": "facebook/deit-base-patch16-224",
    "detr": "facebook/detr-resnet-50",
    "dinov2": "facebook/dinov2-small",
    "dpt": "Intel/dpt-large",
    "efficientnet": "google/efficientnet-b0",
    "mobilenet_v2": "google/mobilenet_v2_1.0_224",
    "mobilevit": "apple/mobilevit-small",
    "regnet": "facebook/regnet-y-040",
    "resnet": "microsoft/resnet-50",
    "sam": "facebook/sam-vit-base",
    "segformer": "nvidia/mit-b0",
    "swin": "microsoft/swin-tiny-patch4-window7-224",
    "vit": "google/vit-base-patch16-224",
    "yolos": "hustvl/yolos-tiny",
    # vision-text and multimodal
    "blip": "Salesforce/blip-image-captioning-base",
    "blip-2": "Salesforce/blip2-opt-2.7b",
    "clip": "openai/clip-vit-base-patch32",
    "git": "microsoft/git-base",
    "idefics2": "HuggingFaceM4/idefics2-8b",
    "kosmos-2": "microsoft/kosmos-2-patch14-224",
    "llava": "llava-hf/llava-1.5-7b-hf",
    "owlvit": "google/owlvit-base-patch32",
    "paligemma": "google/paligemma-3b-pt-224",
    "pix2struct": "google/pix2struct-base",
    "siglip": "google/siglip-base-patch16-224",
    "video_llava": "LanguageBind/Video-LLaVA-7B-hf",
    "vilt": "dandelin/vilt-b32-mlm",
    # speech and audio
    "bark": "suno/bark-small",
    "clap": "laion/clap-htsat-unfused",
    "data2vec-audio": "facebook/data2vec-audio-base-960h",
    "encodec": "facebook/encodec_24khz",
    "hubert": "facebook/hubert-base-ls960",
    "musicgen": "facebook/musicgen-small",
    "speecht5": "microsoft/speecht5_tts",
    "vits": "facebook/mms-tts-eng",
    "wav2vec2": "facebook/wav2vec2-base-960h",
    "wavlm": "microsoft/wavlm-base",
    "whisper": "openai/whisper-tiny",
    # Where transformers 5.24's configuration docstring names another model's checkpoint
    # (refused by scripts/sync_architectures.py), the checkpoint transformers documented
    # for the architecture elsewhere:
    # SEWConfig's docstring in earlier releases and the SEW tests (SEWModel.from_pretrained)
    "sew": "asapp/sew-tiny-100k",
    # SEW-D's pretrained-config archive map in transformers' source
    "sew-d": "asapp/sew-d-tiny-100k",
    # transformers' README (OCR-based document understanding with GOT-OCR2)
    "got_ocr2": "stepfun-ai/GOT-OCR-2.0-hf",
    # the GraniteMoe model documentation's examples
    "granitemoe": "ibm/PowerMoE-3b",
    # GraniteMoeSharedConfig's docstring in the transformers documentation
    "granitemoeshared": "ibm-research/moe-7b-1b-active-shared-experts",
    # Glm4ForCausalLM's docstring example in transformers
    "glm4": "THUDM/GLM-4-9B-0414",
    # Qwen's own Qwen2.5-VL family (the 3B sibling of the 7B the model documentation loads)
    "qwen2_5_vl": "Qwen/Qwen2.5-VL-3B-Instruct",
}


def static_fallback(name: str) -> tuple[str, StaticSource] | None:
    """(model id, ``"static"`` or ``"documented"``) for a registry name, or None.

    ``name`` is already canonical. The hand-checked default wins; the architecture
    table (parsed on first use, only on this path) supplies the documented checkpoint.
    """
    model_id = STATIC_DEFAULTS.get(name)
    if model_id is not None:
        return model_id, "static"
    from ._architectures import get_architecture

    arch = get_architecture(name)
    if arch is None or arch.checkpoint is None:
        return None
    return arch.checkpoint, "documented"


def static_default(name: str) -> str | None:
    """The static default for a registry name (already canonical), or None."""
    found = static_fallback(name)
    return None if found is None else found[0]


def is_static_source(source: object) -> TypeGuard[StaticSource]:
    """True for a registry entry ``source`` that marks an offline, unchecked default."""
    # A hand-edited file may hold any JSON value here, a list included (unhashable).
    return isinstance(source, str) and source in STATIC_SOURCES
