"""A WebSocket client on python3's websockets library, for python_test.go.

Usage: python3 python_client.py URI deflate|none

It sends text, binary, a fragmented text message, a fragmented binary
message and a large message that compresses, prints what comes back, one
line each, then closes with 4000 and prints the close code the server
answered with.
"""
import asyncio
import sys

import websockets


async def main(uri, mode):
    compression = "deflate" if mode == "deflate" else None
    async with websockets.connect(uri, compression=compression, max_size=2**22) as ws:
        print("extensions:", ws.response_headers.get("Sec-WebSocket-Extensions", "none"))
        await ws.send("hello, κόσμε")
        print("text:", await ws.recv())
        await ws.send(b"\x00\x01\xfe\xff")
        print("binary:", (await ws.recv()).hex())
        await ws.send(["frag", "mented ", "text ✓"])
        print("fragmented text:", await ws.recv())
        await ws.send([b"\x01\x02", b"\x03"])
        print("fragmented binary:", (await ws.recv()).hex())
        big = "compress me, " * 20000
        await ws.send(big)
        got = await ws.recv()
        print("large:", len(got), got == big)
        await ws.close(code=4000, reason="done")
        print("closed:", ws.close_code)


asyncio.run(main(sys.argv[1], sys.argv[2]))
