"""An agent joining a person's session: `chronus mcp --attach PORT` driven by
the official MCP Python SDK while someone plays the same `chronus live` from
its terminal.

Usage: python mcp_together.py SERVER_COMMAND [ARGS...]
(for example `python mcp_together.py chronus mcp --attach 9000 --folder .`).

The person has a kick playing. The agent adds a bass, taps it, listens to
what it played (its notes named, in cents), looks at the piano roll (a PNG
image), and reads the history: the person's edits (tty) and its own (sent
over OSC) side by side. Prints a transcript as mcp_client.py does; a failed
check prints `FAIL: ...` to stderr and exits with status 1.
"""

import asyncio
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mcp import Client, StdioServerParameters  # noqa: E402
from mcp.types import ImageContent  # noqa: E402

from mcp_client import call, check, png_size, run, say, text_of  # noqa: E402

BASS = ("create bass synth osc=saw cutoff=800 attack=0.002 release=0.05; "
        "melody bass: C2 C2 G2 Eb2; play bass")


async def session(command):
    params = StdioServerParameters(command=command[0], args=command[1:])
    say(">", "connect")
    async with Client(params) as client:
        info = client.server_info
        check(info is not None and info.name == "chronus", f"the server is chronus: {info}")
        say("<", f"server {info.name} {info.version}, protocol {client.protocol_version}")
        result = await call(client, "status", {})
        check("kick" in text_of(result), "the person's kick is in the session")
        await call(client, "command", {"line": BASS})
        result = await call(client, "listen", {"track": "bass"})
        check("tapping" in text_of(result), "the first listen to bass taps it")
        # Two bars and a half of real time on the null backend.
        await asyncio.sleep(5.5)
        result = await call(client, "listen", {"track": "bass", "bars": 1})
        check("note_name" in text_of(result) and "C2" in text_of(result),
              "listen bass names the notes it measured")
        result = await call(client, "listen", {"bars": 1})
        check("kick" in text_of(result) and "bass" in text_of(result),
              "the master's balance has both players' tracks")
        say(">", "tools/call look {\"bars\": 1, \"picture\": \"roll\"}")
        result = await client.call_tool("look", {"picture": "roll", "bars": 1})
        check(not result.is_error, f"look works: {text_of(result)}")
        images = [c for c in result.content if isinstance(c, ImageContent)]
        check(len(images) == 1 and images[0].mime_type == "image/png", "look returns one PNG image")
        width, height = png_size(base64.b64decode(images[0].data, validate=True))
        say("<", f"image/png {width}x{height} | {text_of(result)}")
        result = await call(client, "history", {"count": 10})
        lines = text_of(result)
        check("tty: create kick" in lines, "the history shows the person's edit")
        check("osc:127.0.0.1:" in lines and "create bass" in lines,
              "the history shows the agent's edit, sent over OSC")
        await call(client, "command", {"line": "set nobody gain=-3"}, want_error=True)
    say("<", "closed")


if __name__ == "__main__":
    sys.exit(run(session, __doc__))
