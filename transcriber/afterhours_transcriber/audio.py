"""Reading the voicemail the Swift side hands over, and bringing it to Whisper's 16 kHz.

The Swift side always writes 16-bit PCM WAV (any sample rate, usually 8 kHz mono), so the
standard library's `wave` reads it and numpy resamples it: no FFmpeg in the path, and the
same samples on every machine.
"""

from __future__ import annotations

import os
import wave

import numpy as np

# Whisper's input rate.
WHISPER_RATE = 16_000


# WAV format codes the `wave` module refuses, named for the error sentence.
WAV_FORMATS = {"3": "32-bit float", "6": "A-law", "7": "µ-law", "17": "IMA ADPCM",
               "49": "GSM 6.10", "85": "MP3", "65534": "WAVE_FORMAT_EXTENSIBLE"}


class AudioError(Exception):
    """The file cannot be used; the message is one sentence naming the file."""


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """The samples of a 16-bit PCM WAV file as float32 in [-1, 1), channels averaged to
    mono, and its sample rate."""
    try:
        if os.path.getsize(path) == 0:
            raise AudioError(f"{path} is empty (0 bytes).")
        with wave.open(path, "rb") as wav:
            channels = wav.getnchannels()
            width = wav.getsampwidth()
            rate = wav.getframerate()
            if width != 2:
                raise AudioError(
                    f"{path} is {8 * width}-bit audio; the worker reads 16-bit PCM WAV only."
                )
            if rate <= 0:
                raise AudioError(f"{path} has no sample rate in its WAV header.")
            data = wav.readframes(wav.getnframes())
    except FileNotFoundError:
        raise AudioError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise AudioError(f"{path} is a folder, not a WAV file.") from None
    except PermissionError:
        raise AudioError(f"{path} cannot be read: permission denied.") from None
    except wave.Error as error:
        # "file does not start with RIFF id", "unknown format: 49", …
        detail = str(error)
        if detail.startswith("unknown format: "):
            code = detail.rsplit(" ", 1)[-1]
            detail = f"its WAV format is {WAV_FORMATS.get(code, 'format ' + code)}"
        raise AudioError(f"{path} is not a 16-bit PCM WAV file: {detail}.") from None
    except EOFError:
        raise AudioError(f"{path} is cut off inside its WAV header.") from None
    except OSError as error:
        raise AudioError(f"{path} cannot be read: {error.strerror or error}.") from None

    # A data chunk cut short (a file still being written) leaves a partial frame: drop it.
    usable = len(data) - len(data) % (2 * channels)
    samples = np.frombuffer(data[:usable], dtype="<i2")
    if samples.size == 0:
        raise AudioError(f"{path} holds no audio (its WAV data chunk is empty).")
    samples = samples.astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1, dtype=np.float32)
    return samples, rate


def resample(samples: np.ndarray, rate: int, method: str = "fft") -> np.ndarray:
    """`samples` at `rate` brought to 16 kHz.

    fft: band-limited (ideal sinc) interpolation through one real FFT of the whole
         message: zero-padding the spectrum adds no energy above the original Nyquist
         frequency, so 8 kHz audio reaches Whisper as it was, with an empty 4–8 kHz band.
         Downsampling drops the bins above 8 kHz, which is the ideal anti-alias filter.
         O(n log n); ~0.1 s for a 30 s message, 2 % of transcribing it.
    linear: straight lines between samples; cheap, but the 8→16 kHz images of the speech
         band (4–8 kHz mirrored) reach the model as spurious high-frequency energy.
    The measurements behind the default are in docs/benchmarks.md ("Transcription").
    """
    if rate == WHISPER_RATE:
        return samples.astype(np.float32, copy=False)
    n_in = samples.size
    n_out = max(1, int(round(n_in * WHISPER_RATE / rate)))
    if method == "linear":
        positions = np.arange(n_out, dtype=np.float64) * (rate / WHISPER_RATE)
        return np.interp(positions, np.arange(n_in), samples).astype(np.float32)
    if method != "fft":
        raise ValueError(f"unknown resampling method {method!r}")
    spectrum = np.fft.rfft(samples.astype(np.float64))
    bins_out = n_out // 2 + 1
    kept = min(spectrum.size, bins_out)
    resized = np.zeros(bins_out, dtype=np.complex128)
    resized[:kept] = spectrum[:kept]
    if n_out > n_in and n_in % 2 == 0:
        # The old Nyquist bin stood for a cosine split between +f and -f; in the longer
        # spectrum it is an ordinary bin, so it carries half.
        resized[kept - 1] *= 0.5
    # irfft divides by n_out where rfft summed n_in samples: rescale to keep the level.
    return (np.fft.irfft(resized, n_out) * (n_out / n_in)).astype(np.float32)
