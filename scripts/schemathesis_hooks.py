"""schemathesis hooks for scripts/api-conformance.sh.

The push's `audio` part is `audio/*` (openapi.yaml). schemathesis has no serializer for
that media type, so a negative test that makes the part a number, a list or an object
could not be sent and counted as an error. Send such values as their JSON text, as it
does for application/octet-stream; the service must then refuse them.
"""
import schemathesis
from schemathesis.transport.serialization import serialize_binary


@schemathesis.serializer("audio/*")
def audio(ctx, value):
    return {"data": serialize_binary(value)}
