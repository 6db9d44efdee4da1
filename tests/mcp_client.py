"""Drive a Chronus MCP server over stdio with the official MCP Python SDK.

Usage: python mcp_client.py SERVER_COMMAND [ARGS...]
(for example `python mcp_client.py chronus mcp --backend null`).

It connects, lists the tools (each must have a description and an object
input schema), plays a whole groove: creates a kick and a bass, sequences
them, previews the next bars, listens (the first listen to the bass taps
it), looks at a spectrogram and a piano roll (each image must decode as a
PNG picture), saves a patch, edits and undoes; then expects tool errors for
a bad track name, for a line the session refuses (`bad ...`) and for an
argument of the wrong type, expects a
protocol error for an unknown tool (and the server alive after it), lists and
reads the resources, and prints a transcript to stdout: one line per request
(`> ...`) and per reply (`< ...`). A check that fails prints `FAIL: ...` to
stderr and exits with status 1.
"""

import asyncio
import base64
import json
import struct
import sys
import zlib

from mcp import Client, MCPError, StdioServerParameters
from mcp.types import ImageContent, TextContent

GROOVE = ("create kick freq=55 decay=0.25 click=0; sequence kick: x...x...x...x...; "
          "create bass synth osc=saw cutoff=800 attack=0.002 release=0.05; "
          "melody bass: C2 C2 G2 Eb2; play all")

TOOLS = {
    "command", "status", "help", "listen", "preview", "look", "render",
    "save_patch", "load_patch", "undo", "history",
}


class Failed(Exception):
    """A check of the transcript failed."""


def check(condition, what):
    if not condition:
        raise Failed(what)


def say(direction, text):
    """One transcript line: line breaks shown as \\n."""
    print(f"{direction} {text}".replace("\r", "\\r").replace("\n", "\\n"), flush=True)


def png_size(data):
    """(width, height) of a PNG picture, after checking every chunk's CRC and
    inflating its image data; raises Failed when it is not one."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "the image starts with the PNG signature")
    at, size, idat, ended = 8, None, b"", False
    while at < len(data):
        check(at + 12 <= len(data), "a PNG chunk is complete")
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind = data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        check(len(body) == length, "a PNG chunk holds its length")
        check(zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"the CRC of the {kind!r} chunk")
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            ended = True
        at += 12 + length
    check(size is not None and ended, "the PNG has IHDR and IEND chunks")
    check(len(zlib.decompress(idat)) > 0, "the PNG image data inflates")
    return size


def text_of(result):
    return " | ".join(c.text for c in result.content if isinstance(c, TextContent))


async def call(client, name, arguments, want_error=False):
    """Call a tool, print the exchange, check is_error; return the result."""
    say(">", f"tools/call {name} {json.dumps(arguments, sort_keys=True)}")
    result = await client.call_tool(name, arguments)
    if result.is_error:
        say("<", f"tool error: {text_of(result)}")
    else:
        say("<", text_of(result))
    check(bool(result.is_error) == want_error,
          f"{name} {arguments}: is_error should be {want_error}, got {result.is_error}")
    if want_error:
        line = text_of(result)
        check(line.startswith("error: ") and "\n" not in line,
              f"{name}: a tool error is one line starting with 'error: ': {line!r}")
    return result


async def session(command):
    params = StdioServerParameters(command=command[0], args=command[1:])
    say(">", "connect")
    async with Client(params) as client:
        info = client.server_info
        check(info is not None and info.name == "chronus", f"the server is chronus: {info}")
        say("<", f"server {info.name} {info.version}, protocol {client.protocol_version}")
        how = client.instructions or ""
        for word in ("command", "preview", "listen", "look", "undo", "history"):
            check(word in how, f"the instructions mention {word}")
        say("<", "instructions mention command, preview, listen, look, undo, history")

        say(">", "tools/list")
        tools = (await client.list_tools()).tools
        names = sorted(t.name for t in tools)
        for tool in tools:
            check(tool.description and len(tool.description) > 40,
                  f"{tool.name} has a description")
            check(tool.input_schema.get("type") == "object",
                  f"{tool.name} has an object input schema: {tool.input_schema}")
        check(TOOLS <= set(names), f"the tools include {sorted(TOOLS)}: {names}")
        say("<", f"{len(names)} tools, each with a description and an input schema: {' '.join(names)}")

        await call(client, "command", {"line": GROOVE})
        await call(client, "status", {})
        result = await call(client, "preview", {"bars": 2})
        check("integrated_lufs" in text_of(result), "preview gives the JSON report")
        result = await call(client, "listen", {"track": "bass"})
        check("tapping" in text_of(result), "the first listen to bass taps it")
        # Two bars and a half of real time on the null backend.
        await asyncio.sleep(5.5)
        result = await call(client, "listen", {"bars": 1})
        check("integrated_lufs" in text_of(result), "listen gives the JSON report")
        result = await call(client, "listen", {"track": "bass", "bars": 1})
        check("note_name" in text_of(result), "listen bass names the notes it measured")
        for picture in ("spectrogram", "roll"):
            say(">", "tools/call look " + json.dumps({"bars": 1, "picture": picture}))
            result = await client.call_tool("look", {"picture": picture, "bars": 1})
            check(not result.is_error, f"look works: {text_of(result)}")
            images = [c for c in result.content if isinstance(c, ImageContent)]
            check(len(images) == 1 and images[0].mime_type == "image/png", "look returns one PNG image")
            data = base64.b64decode(images[0].data, validate=True)
            width, height = png_size(data)
            say("<", f"image/png {width}x{height} ({len(data)} bytes) | {text_of(result)}")
        await call(client, "save_patch", {"name": "groove"})
        await call(client, "command", {"line": "set bass cutoff=3000"})
        await call(client, "undo", {})

        await call(client, "listen", {"track": "a;b"}, want_error=True)
        await call(client, "command", {"line": "bad command"}, want_error=True)
        result = await call(client, "listen", {"bars": "two"}, want_error=True)
        check("whole number" in text_of(result) and "i64" not in text_of(result),
              "a wrong argument is explained without Rust's type names")

        say(">", "tools/call no_such_tool {}")
        try:
            await client.call_tool("no_such_tool", {})
            raise Failed("an unknown tool is refused")
        except MCPError as e:
            say("<", f"protocol error {e.code}: {e.message}")
        await call(client, "history", {"count": 5})

        say(">", "resources/list")
        resources = (await client.list_resources()).resources
        check(resources, "there is at least one resource")
        for r in resources:
            check(str(r.uri).startswith("chronus://docs/"), f"{r.uri} is a chronus doc")
            check(r.mime_type == "text/markdown", f"{r.uri} is markdown")
        say("<", " ".join(f"{r.uri} ({r.title})" for r in resources))

        uri = str(resources[0].uri)
        say(">", f"resources/read {uri}")
        contents = (await client.read_resource(uri)).contents
        check(len(contents) == 1 and contents[0].text, f"{uri} has text")
        check(contents[0].mime_type == "text/markdown", f"{uri} is read as markdown")
        first = contents[0].text.splitlines()[0]
        say("<", f"{contents[0].mime_type}, {len(contents[0].text)} characters: {first}")
    say("<", "closed")


def run(play, doc):
    """Run `play(command)` on the server command given on the command line;
    the exit status."""
    command = sys.argv[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print(doc, file=sys.stderr)
        return 2
    try:
        asyncio.run(play(command))
    except Failed as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run(session, __doc__))
