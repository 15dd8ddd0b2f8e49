"""A quick self-test of the worker's protocol and audio handling, without Whisper (a fake
model stands in) except for the one start-up test, which needs faster-whisper importable.

    .venv/bin/python -m unittest discover -s transcriber/tests -v

`make test` runs it after the Swift suite (whose transcription tests drive the real worker
with Whisper); accuracy and speed are measured by scripts/transcription-bench.py.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import wave
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from afterhours_transcriber.audio import read_wav, resample  # noqa: E402
import afterhours_transcriber  # noqa: E402
from afterhours_transcriber.loops import before_loop, compression_ratio, find_loop  # noqa: E402
from afterhours_transcriber.worker import RETRY_OPTIONS, STYLE_PROMPT, Decoding, Worker  # noqa: E402

# This suite tests the source beside it, never an installed copy.
assert Path(afterhours_transcriber.__file__).resolve().parent.parent == Path(__file__).resolve().parent.parent

# Loops Whisper (tiny.en) wrote on real calls: the two of issue 28, and others it wrote on
# the project's fixtures while its decoding was tuned (docs/benchmarks.md).
RECORDED_LOOPS = [
    ("Hi, it's Marta. I have an appointment on Thursday at 10-1-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0",
     "Hi, it's Marta. I have an appointment on Thursday at 10-1"),
    ("Please call the monitoring center at 8-0-0-0-5-5-0-1-4-2-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0",
     "Please call the monitoring center at 8-0-0-0-5-5-0-1-4-2"),
    ("This is about the invoice, call me at 3-4-7-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0",
     "This is about the invoice, call me at 3-4-7"),
    ("Hello, it's about the boiler. 12-0-0-0-0-0-0-0-0-0-0-0-0-0-0-0",
     "Hello, it's about the boiler. 12"),
    ("Thank you very much for watching. Thank you very much for watching. Thank you very much for watching. "
     "Thank you very much for watching.", ""),
    ("I need someone to come out today, please, please, please, please, please, please, please, please, please",
     "I need someone to come out today"),
    ("Call me back at 5-5-5, 0-1-0-0, 5-5-5, 0-1-0-0, 5-5-5, 0-1-0-0, 5-5-5, 0-1-0-0",
     "Call me back at"),
]
# Repetition a caller really says: not a loop.
LEGITIMATE = [
    "no no no, that's not what I ordered",
    "Agent 0 0 7 here, call me at 212-555-0000.",
    "Call me back at 8 0 0, 5 5 5, 0 1 4 2 to confirm.",
    "Hello? Hello? Hello? Is this thing on?",
    "Bye bye. Thanks, thanks again, bye.",
    "Yes, yes, yes, Tuesday is fine, Tuesday at ten.",
    "My account number is 1-0-0-0-0-0-0-1.",
    "",
]


def write_wav(path, samples, rate=8000, width=2):
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())


class FakeModel:
    """Records what the worker asked for and says one segment."""

    def __init__(self):
        self.calls = []

    def transcribe(self, audio, **options):
        self.calls.append((audio, options))
        return iter([SimpleNamespace(text=" Hello, "), SimpleNamespace(text=" call me back. ")]), None


class AudioTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.dir = Path(self.folder.name)

    def tearDown(self):
        self.folder.cleanup()

    def test_fft_resampling_keeps_a_tone_and_its_level(self):
        t = np.arange(8000) / 8000
        tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        up = resample(tone, 8000)
        self.assertEqual(up.size, 16000)
        expected = 0.5 * np.sin(2 * np.pi * 440 * np.arange(16000) / 16000)
        self.assertLess(np.abs(up - expected).max(), 1e-3)

    def test_reads_16_bit_pcm(self):
        path = self.dir / "a.wav"
        write_wav(path, (np.ones(800) * 16384).astype("<i2"))
        samples, rate = read_wav(str(path))
        self.assertEqual((rate, samples.size), (8000, 800))
        self.assertAlmostEqual(float(samples[0]), 0.5)

    def test_errors_name_the_file(self):
        empty = self.dir / "empty.wav"
        empty.write_bytes(b"")
        garbage = self.dir / "garbage.wav"
        garbage.write_bytes(b"x" * 100)
        eight_bit = self.dir / "8bit.wav"
        write_wav(eight_bit, np.zeros(800, dtype=np.uint8), width=1)
        no_data = self.dir / "nodata.wav"
        write_wav(no_data, np.zeros(0, dtype="<i2"))
        for path, words in [(self.dir / "missing.wav", "does not exist"), (empty, "is empty"),
                            (garbage, "is not a 16-bit PCM WAV"), (eight_bit, "8-bit"),
                            (no_data, "holds no audio"), (self.dir, "is a folder")]:
            with self.subTest(path=path.name):
                with self.assertRaises(Exception) as caught:
                    read_wav(str(path))
                self.assertIn(str(path), str(caught.exception))
                self.assertIn(words, str(caught.exception))


class ProtocolTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.wav = Path(self.folder.name) / "msg.wav"
        write_wav(self.wav, np.zeros(12000, dtype="<i2"))
        self.model = FakeModel()
        self.worker = Worker(self.model, "en", Decoding())

    def tearDown(self):
        self.folder.cleanup()

    def ask(self, line):
        return self.worker.answer(line.encode() if isinstance(line, str) else line)

    def test_a_request_is_answered_with_its_id_text_and_durations(self):
        reply = self.ask(json.dumps({"id": 17, "audio": str(self.wav), "prompt": "Acme  Plumbing"}))
        self.assertEqual(set(reply), {"id", "text", "cut_short", "avg_logprob", "no_speech_prob", "audio_seconds", "seconds"})
        self.assertEqual((reply["id"], reply["text"], reply["cut_short"], reply["audio_seconds"]),
                         (17, "Hello, call me back.", False, 1.5))
        audio, options = self.model.calls[0]
        self.assertEqual(audio.size, 24000)                      # 8 kHz → 16 kHz
        # The vocabulary is ignored by default (see Decoding.prompt_as); the style sentence is not.
        self.assertEqual(options["initial_prompt"], STYLE_PROMPT)
        self.assertEqual((options["language"], options["beam_size"], options["vad_filter"]), ("en", 5, True))

    def test_bad_lines_get_an_error_and_the_worker_carries_on(self):
        self.assertEqual(set(self.ask("not json")), {"error"})
        self.assertEqual(set(self.ask("[1, 2]")), {"error"})
        self.assertEqual(set(self.ask('{"audio": "/x.wav"}')), {"error"})
        self.assertEqual(set(self.ask(b"\xff\xfe\n")), {"error"})
        self.assertIsNone(self.ask("   \n"))
        reply = self.ask('{"id": 3}')
        self.assertEqual((reply["id"], set(reply)), (3, {"id", "error"}))
        reply = self.ask('{"id": "m-4", "audio": "/nonexistent/x.wav"}')
        self.assertEqual(reply, {"id": "m-4", "error": "/nonexistent/x.wav does not exist."})
        self.assertEqual(self.ask(json.dumps({"id": 5, "audio": str(self.wav)}))["text"], "Hello, call me back.")

    def test_the_vocabulary_goes_before_the_style_sentence_when_asked(self):
        worker = Worker(self.model, "en", Decoding(prompt_as="initial"))
        worker.answer(json.dumps({"id": 1, "audio": str(self.wav), "prompt": " Acme\n Plumbing "}).encode())
        self.assertEqual(self.model.calls[0][1]["initial_prompt"], "Acme Plumbing " + STYLE_PROMPT)

    def test_no_style_sentence_for_messages_longer_than_one_window(self):
        long = Path(self.folder.name) / "long.wav"
        write_wav(long, np.zeros(31 * 8000, dtype="<i2"))
        self.ask(json.dumps({"id": 1, "audio": str(long)}))
        self.assertIsNone(self.model.calls[0][1]["initial_prompt"])

    def test_punctuation_alone_is_no_text(self):
        self.model.transcribe = lambda audio, **options: (iter([SimpleNamespace(text=" . . .")]), None)
        self.assertEqual(self.ask(json.dumps({"id": 1, "audio": str(self.wav)}))["text"], "")


class LoopDetectorTests(unittest.TestCase):
    def test_recorded_loops_are_found_and_the_words_before_them_kept(self):
        for text, kept in RECORDED_LOOPS:
            with self.subTest(text=text[:40]):
                loop = find_loop(text)
                self.assertIsNotNone(loop)
                self.assertEqual(before_loop(text, loop), kept)

    def test_a_little_repetition_a_caller_says_is_not_a_loop(self):
        for text in LEGITIMATE:
            with self.subTest(text=text):
                self.assertIsNone(find_loop(text))

    def test_a_ragged_cycle_is_found_by_its_compression_ratio(self):
        # No one n-gram repeats back to back (the cycle changes a little each time), but
        # the text compresses like a loop.
        turns = ["Sam", "Dana", "Lee", "Kim", "Ray", "Ann", "Bo", "Jo", "Max", "Eve"] * 2
        text = "Hi, it's Sam about the roof. " + "".join(f"call 2-1-2 now {name}, " for name in turns)
        self.assertGreater(compression_ratio(text), 2.4)
        loop = find_loop(text)
        self.assertIsNotNone(loop)
        self.assertTrue(before_loop(text, loop).startswith("Hi, it's Sam about the roof"))
        self.assertNotIn("now", before_loop(text, loop))

    def test_ordinary_speech_compresses_like_speech(self):
        text = ("Hi, this is Dana from Riverside Dental. I'm calling about the appointment on Thursday at ten. "
                "Please call me back at 3-1-0, 5-5-5, 0-1-0-0 when you get a chance. Thanks, bye.")
        self.assertLess(compression_ratio(text), 2.0)
        self.assertIsNone(find_loop(text))


class ScriptedModel:
    """Answers each decoding with the next text of a script, and records the options."""

    def __init__(self, *texts):
        self.texts = list(texts)
        self.calls = []

    def transcribe(self, audio, **options):
        self.calls.append(options)
        return iter([SimpleNamespace(text=self.texts.pop(0))]), None


class LoopRecoveryTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.wav = Path(self.folder.name) / "msg.wav"
        write_wav(self.wav, np.zeros(12000, dtype="<i2"))
        self.seeds = 0

    def tearDown(self):
        self.folder.cleanup()

    def ask(self, model):
        def reseed():
            self.seeds += 1
        worker = Worker(model, "en", Decoding(), reseed=reseed)
        return worker.answer(json.dumps({"id": 9, "audio": str(self.wav)}).encode())

    def test_a_loop_is_decoded_again_with_the_fallbacks_and_the_clean_text_kept(self):
        model = ScriptedModel(RECORDED_LOOPS[0][0], "I have an appointment on Thursday at ten. Call me at 2-1-2.")
        reply = self.ask(model)
        self.assertEqual(reply["text"], "I have an appointment on Thursday at ten. Call me at 2-1-2.")
        self.assertFalse(reply["cut_short"])
        self.assertEqual(len(model.calls), 2)
        retry = model.calls[1]
        for key, value in RETRY_OPTIONS.items():
            self.assertEqual(retry[key], value, key)
        self.assertIsNone(retry["initial_prompt"])               # the style prompt is dropped
        self.assertFalse(retry["without_timestamps"])            # hallucination_silence_threshold needs them
        self.assertEqual(self.seeds, 2)

    def test_a_loop_that_survives_the_retry_is_cut_short_never_returned(self):
        for loop, kept in RECORDED_LOOPS:
            with self.subTest(text=loop[:40]):
                model = ScriptedModel(loop, loop)
                reply = self.ask(model)
                self.assertTrue(reply["cut_short"])
                self.assertEqual(reply["text"], kept)
                self.assertIsNone(find_loop(reply["text"]))

    def test_the_attempt_that_heard_more_before_its_loop_is_kept(self):
        model = ScriptedModel(RECORDED_LOOPS[1][0],
                              "Please call the monitoring center at 8 0 0, 5 5 5, 0 1 4 2 to confirm, "
                              "confirm, confirm, confirm, confirm, confirm, confirm, confirm, confirm, confirm")
        reply = self.ask(model)
        self.assertTrue(reply["cut_short"])
        self.assertEqual(reply["text"], "Please call the monitoring center at 8 0 0, 5 5 5, 0 1 4 2 to")

    def test_legitimate_repetition_is_neither_retried_nor_cut(self):
        for text in LEGITIMATE:
            with self.subTest(text=text):
                model = ScriptedModel(text)
                reply = self.ask(model)
                self.assertEqual((reply["text"], reply["cut_short"]), (text, False))
                self.assertEqual(len(model.calls), 1)


class ScoreTests(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.wav = Path(self.folder.name) / "msg.wav"
        write_wav(self.wav, np.zeros(12000, dtype="<i2"))

    def tearDown(self):
        self.folder.cleanup()

    def ask(self, segments):
        model = SimpleNamespace(transcribe=lambda audio, **options: (iter(segments), None))
        return Worker(model, "en", Decoding()).answer(json.dumps({"id": 1, "audio": str(self.wav)}).encode())

    def test_scores_are_the_segments_weighted_by_their_text(self):
        reply = self.ask([SimpleNamespace(text=" Hello, call me back ", avg_logprob=-0.2, no_speech_prob=0.1),
                          SimpleNamespace(text=" at two ", avg_logprob=-1.0, no_speech_prob=0.5)])
        self.assertEqual(reply["text"], "Hello, call me back at two")
        # 19 and 6 characters.
        self.assertAlmostEqual(reply["avg_logprob"], round((19 * -0.2 + 6 * -1.0) / 25, 3))
        self.assertAlmostEqual(reply["no_speech_prob"], round((19 * 0.1 + 6 * 0.5) / 25, 3))

    def test_nothing_said_has_no_scores(self):
        reply = self.ask([SimpleNamespace(text=" . . . ", avg_logprob=-2.0, no_speech_prob=0.9)])
        self.assertEqual((reply["text"], reply["avg_logprob"], reply["no_speech_prob"]), ("", None, None))


class StartTests(unittest.TestCase):
    def run_worker(self, *arguments):
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        return subprocess.run([sys.executable, "-m", "afterhours_transcriber", *arguments],
                              input="", capture_output=True, text=True, env=env, timeout=120)

    def test_an_unknown_model_is_fatal_with_status_2(self):
        done = self.run_worker("--model", "large-v9", "--threads", "1")
        self.assertEqual(done.returncode, 2)
        self.assertEqual(len(done.stdout.splitlines()), 1)
        self.assertIn("Unknown model 'large-v9'", json.loads(done.stdout)["fatal"])

    def test_bad_arguments_are_fatal_too(self):
        done = self.run_worker("--threads", "two")
        self.assertEqual(done.returncode, 2)
        self.assertIn("bad arguments", json.loads(done.stdout)["fatal"])


if __name__ == "__main__":
    unittest.main()
