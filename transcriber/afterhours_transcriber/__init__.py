"""Afterhours' offline voicemail transcription worker; see worker.py for the protocol."""
