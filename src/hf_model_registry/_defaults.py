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

Beside them, ``STATIC_TEST_MODELS``: the random-weight test model an offline
``tiny=True`` / ``--tiny`` answers with, for the static and documented entries.
"""

from __future__ import annotations

from typing import Literal, TypeGuard

__all__ = [
    "STATIC_DEFAULTS",
    "STATIC_SOURCES",
    "STATIC_TEST_MODELS",
    "StaticSource",
    "is_static_source",
    "static_default",
    "static_fallback",
    "static_test_model",
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


# Random-weight test models for offline ``tiny=True`` answers: registry name -> model id.
# Every id was read in a Hugging Face project's test suite, where it is loaded (exported,
# run or fine-tuned) as a model of that architecture; the comment above each group names
# the repository and file. None is derived from a naming pattern. Where several projects
# name one, an ``hf-internal-testing`` fixture is preferred, then the newest file's. A
# refresh replaces these with the Hub listing's own fixture (or none). The files were read
# (stored copies, 2026-11-29) at these commits: optimum-onnx 9ca6f68 (testing_utils.py) and
# 189a80a (utils_tests.py), peft 00073fe, optimum-intel 0003ad3.
STATIC_TEST_MODELS: dict[str, str] = {
    # huggingface/optimum-onnx tests/onnxruntime/testing_utils.py (MODEL_NAMES: each
    # ORTModel test exports and runs MODEL_NAMES[architecture])
    "albert": "hf-internal-testing/tiny-random-AlbertModel",
    "arcee": "onnx-internal-testing/tiny-random-ArceeForCausalLM",
    "bart": "hf-internal-testing/tiny-random-BartModel",
    "beit": "hf-internal-testing/tiny-random-BeitForImageClassification",
    "bert": "hf-internal-testing/tiny-random-BertModel",
    "big_bird": "hf-internal-testing/tiny-random-BigBirdModel",
    "bigbird_pegasus": "hf-internal-testing/tiny-random-BigBirdPegasusModel",
    "blenderbot": "hf-internal-testing/tiny-random-BlenderbotModel",
    "bloom": "hf-internal-testing/tiny-random-BloomModel",
    "camembert": "hf-internal-testing/tiny-random-camembert",
    "clip": "hf-internal-testing/tiny-random-CLIPModel",
    "codegen": "hf-internal-testing/tiny-random-CodeGenForCausalLM",
    "cohere": "hf-internal-testing/tiny-random-CohereForCausalLM",
    "convbert": "hf-internal-testing/tiny-random-ConvBertModel",
    "convnext": "hf-internal-testing/tiny-random-convnext",
    "convnextv2": "hf-internal-testing/tiny-random-ConvNextV2Model",
    "data2vec-audio": "hf-internal-testing/tiny-random-Data2VecAudioModel",
    "data2vec-text": "hf-internal-testing/tiny-random-Data2VecTextModel",
    "data2vec-vision": "hf-internal-testing/tiny-random-Data2VecVisionModel",
    "deberta": "hf-internal-testing/tiny-random-DebertaModel",
    "deberta-v2": "hf-internal-testing/tiny-random-DebertaV2Model",
    "deepseek_v3": "hf-internal-testing/tiny-random-DeepseekV3ForCausalLM",
    "deit": "hf-internal-testing/tiny-random-DeiTModel",
    "detr": "hf-internal-testing/tiny-random-detr",
    "dinov2": "hf-internal-testing/tiny-random-Dinov2Model",
    "distilbert": "hf-internal-testing/tiny-random-DistilBertModel",
    "dpt": "hf-internal-testing/tiny-random-DPTForSemanticSegmentation",
    "efficientnet": "hf-internal-testing/tiny-random-EfficientNetForImageClassification",
    "electra": "hf-internal-testing/tiny-random-ElectraModel",
    "falcon": "fxmarty/really-tiny-falcon-testing",
    "flaubert": "hf-internal-testing/tiny-random-flaubert",
    "gemma": "fxmarty/tiny-random-GemmaForCausalLM",
    "gemma2": "hf-internal-testing/tiny-random-Gemma2ForCausalLM",
    "gemma3": "hf-internal-testing/tiny-random-Gemma3ForConditionalGeneration",
    "gemma3_text": "hf-internal-testing/tiny-random-Gemma3ForCausalLM",
    "glm": "hf-internal-testing/tiny-random-GlmForCausalLM",
    "gpt2": "hf-internal-testing/tiny-random-GPT2LMHeadModel",
    "gpt_bigcode": "hf-internal-testing/tiny-random-GPTBigCodeModel",
    "gpt_neo": "hf-internal-testing/tiny-random-GPTNeoModel",
    "gpt_neox": "hf-internal-testing/tiny-random-GPTNeoXForCausalLM",
    "gpt_oss": "optimum-internal-testing/tiny-random-gpt-oss",
    "gptj": "hf-internal-testing/tiny-random-GPTJForCausalLM",
    "granite": "hf-internal-testing/tiny-random-GraniteForCausalLM",
    "groupvit": "hf-internal-testing/tiny-random-groupvit",
    "helium": "hf-internal-testing/tiny-random-HeliumForCausalLM",
    "hiera": "hf-internal-testing/tiny-random-HieraForImageClassification",
    "hubert": "hf-internal-testing/tiny-random-HubertModel",
    "ibert": "hf-internal-testing/tiny-random-IBertModel",
    "layoutlm": "hf-internal-testing/tiny-random-LayoutLMModel",
    "layoutlmv3": "hf-internal-testing/tiny-random-LayoutLMv3Model",
    "levit": "hf-internal-testing/tiny-random-LevitModel",
    "llama": "optimum-internal-testing/tiny-random-llama",
    "longt5": "hf-internal-testing/tiny-random-LongT5Model",
    "m2m_100": "hf-internal-testing/tiny-random-M2M100Model",
    "marian": "optimum-internal-testing/tiny-random-marian",
    "mbart": "hf-internal-testing/tiny-random-MBartModel",
    "mgp-str": "hf-internal-testing/tiny-random-MgpstrForSceneTextRecognition",
    "mobilebert": "hf-internal-testing/tiny-random-MobileBertModel",
    "mobilenet_v2": "hf-internal-testing/tiny-random-MobileNetV2Model",
    "mobilevit": "hf-internal-testing/tiny-random-mobilevit",
    "moonshine": "hf-internal-testing/tiny-random-MoonshineForConditionalGeneration",
    "mpnet": "hf-internal-testing/tiny-random-MPNetModel",
    "mpt": "hf-internal-testing/tiny-random-MptForCausalLM",
    "mt5": "optimum-internal-testing/tiny-random-mt5",
    "nemotron": "badaoui/tiny-random-NemotronForCausalLM",
    "nystromformer": "hf-internal-testing/tiny-random-NystromformerModel",
    "olmo2": "hf-internal-testing/tiny-random-Olmo2ForCausalLM",
    "opt": "hf-internal-testing/tiny-random-OPTModel",
    "pegasus": "hf-internal-testing/tiny-random-PegasusModel",
    "perceiver": "hf-internal-testing/tiny-random-language_perceiver",
    "phi": "hf-internal-testing/tiny-random-PhiForCausalLM",
    "phi3": "Xenova/tiny-random-Phi3ForCausalLM",
    "pix2struct": "fxmarty/pix2struct-tiny-random",
    "poolformer": "hf-internal-testing/tiny-random-PoolFormerModel",
    "pvt": "hf-internal-testing/tiny-random-PvtForImageClassification",
    "qwen2": "fxmarty/tiny-dummy-qwen2",
    "qwen3": "optimum-internal-testing/tiny-random-qwen3",
    "qwen3_moe": "optimum-internal-testing/tiny-random-qwen3_moe",
    "rembert": "hf-internal-testing/tiny-random-RemBertModel",
    "resnet": "hf-internal-testing/tiny-random-resnet",
    "roberta": "hf-internal-testing/tiny-random-RobertaModel",
    "roformer": "hf-internal-testing/tiny-random-RoFormerModel",
    "segformer": "hf-internal-testing/tiny-random-SegformerModel",
    "sew": "hf-internal-testing/tiny-random-SEWModel",
    "siglip": "hf-internal-testing/tiny-random-SiglipModel",
    "smollm3": "optimum-internal-testing/tiny-random-SmolLM3ForCausalLM",
    "squeezebert": "hf-internal-testing/tiny-random-SqueezeBertModel",
    "stablelm": "hf-internal-testing/tiny-random-StableLmForCausalLM",
    "swin": "hf-internal-testing/tiny-random-SwinModel",
    "swin2sr": "hf-internal-testing/tiny-random-Swin2SRForImageSuperResolution",
    "swinv2": "hf-internal-testing/tiny-random-Swinv2Model",
    "t5": "hf-internal-testing/tiny-random-t5",
    "table-transformer": "hf-internal-testing/tiny-random-TableTransformerModel",
    "unispeech": "hf-internal-testing/tiny-random-unispeech",
    "unispeech-sat": "hf-internal-testing/tiny-random-UnispeechSatModel",
    "visual_bert": "hf-internal-testing/tiny-random-VisualBertModel",
    "vit": "hf-internal-testing/tiny-random-vit",
    "wav2vec2": "hf-internal-testing/tiny-random-Wav2Vec2Model",
    "wav2vec2-conformer": "hf-internal-testing/tiny-random-wav2vec2-conformer",
    "wavlm": "hf-internal-testing/tiny-random-WavlmModel",
    "whisper": "optimum-internal-testing/tiny-random-whisper",
    "xlm": "hf-internal-testing/tiny-random-XLMModel",
    "xlm-roberta": "hf-internal-testing/tiny-xlm-roberta",
    "yolos": "hf-internal-testing/tiny-random-YolosModel",
    # huggingface/optimum-onnx tests/exporters/onnx/utils_tests.py
    # (PYTORCH_EXPORT_MODELS_TINY: the ONNX export tests' model per architecture)
    "audio-spectrogram-transformer": "hf-internal-testing/tiny-random-ASTModel",
    "chinese_clip": "hf-internal-testing/tiny-random-ChineseCLIPModel",
    "cvt": "hf-internal-testing/tiny-random-CvTModel",
    "donut-swin": "hf-internal-testing/tiny-random-DonutSwinModel",
    "esm": "hf-internal-testing/tiny-random-EsmModel",
    "glpn": "hf-internal-testing/tiny-random-GLPNModel",
    "lilt": "hf-internal-testing/tiny-random-LiltModel",
    "longformer": "hf-internal-testing/tiny-random-LongformerModel",
    "markuplm": "hf-internal-testing/tiny-random-MarkupLMModel",
    "maskformer": "hf-internal-testing/tiny-random-MaskFormerForInstanceSegmentation",
    "megatron-bert": "hf-internal-testing/tiny-random-MegatronBertModel",
    "mobilenet_v1": "hf-internal-testing/tiny-random-MobileNetV1Model",
    "modernbert": "hf-internal-testing/tiny-random-ModernBertForMaskedLM",
    "musicgen": "hf-internal-testing/tiny-random-MusicgenForConditionalGeneration",
    "olmo": "hf-internal-testing/tiny-random-OlmoForCausalLM",
    "owlv2": "hf-internal-testing/tiny-random-Owlv2Model",
    "owlvit": "hf-tiny-model-private/tiny-random-OwlViTModel",
    "qwen2_vl": "yujiepan/qwen2-vl-tiny-random",
    "qwen3_vl": "yujiepan/qwen3-vl-tiny-random",
    "sam": "fxmarty/sam-vit-tiny-random",
    "sew-d": "hf-internal-testing/tiny-random-SEWDModel",
    "speech_to_text": "hf-internal-testing/tiny-random-Speech2TextModel",
    "speecht5": "hf-internal-testing/tiny-random-SpeechT5ForTextToSpeech",
    "splinter": "hf-internal-testing/tiny-random-SplinterModel",
    "vit_mae": "hf-internal-testing/tiny-random-ViTMAEModel",
    "vit_msn": "hf-internal-testing/tiny-random-ViTMSNForImageClassification",
    "vitpose": "hf-internal-testing/tiny-random-VitPoseForPoseEstimation",
    "vits": "echarlaix/tiny-random-vits",
    # huggingface/peft tests/test_decoder_models.py (SMALL_GRID_MODELS, loaded with
    # AutoModelForCausalLM; optimum-onnx names a non-hf-internal-testing copy)
    "mistral": "hf-internal-testing/tiny-random-MistralForCausalLM",
    # huggingface/optimum-intel tests/openvino/utils_tests.py (HUB_MODEL_NAMES: each
    # OpenVINO test exports and runs the model named for its architecture)
    "biogpt": "optimum-intel-internal-testing/tiny-random-BioGptForCausalLM",
    "got_ocr2": "optimum-intel-internal-testing/tiny-random-got-ocr2-hf",
    "granitemoe": "optimum-intel-internal-testing/tiny-random-granite-moe",
    "llava": "optimum-intel-internal-testing/tiny-random-llava",
    "mamba": "optimum-intel-internal-testing/tiny-mamba",
    "mixtral": "optimum-intel-internal-testing/tiny-mixtral",
    "persimmon": "optimum-intel-internal-testing/tiny-random-PersimmonForCausalLM",
    "phimoe": "optimum-intel-internal-testing/phi-3.5-moe-tiny-random",
    "qwen2_5_vl": "optimum-intel-internal-testing/tiny-random-qwen2.5-vl",
    "qwen2_moe": "optimum-intel-internal-testing/tiny-random-qwen1.5-moe",
}


def static_test_model(name: str) -> str | None:
    """The offline random-weight test model for a registry name (canonical), or None."""
    return STATIC_TEST_MODELS.get(name)


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
