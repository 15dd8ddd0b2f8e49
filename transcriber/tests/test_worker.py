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
from afterhours_transcriber.worker import STYLE_PROMPT, Decoding, Worker  # noqa: E402


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
        self.assertEqual(set(reply), {"id", "text", "audio_seconds", "seconds"})
        self.assertEqual((reply["id"], reply["text"], reply["audio_seconds"]), (17, "Hello, call me back.", 1.5))
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
