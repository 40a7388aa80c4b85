"""Hotline fan-out load: SUBSCRIBERS officers and 50 outsiders on the live
stream, CALLS calls raised; latency from the raise to each entitled
subscriber. Standard library only (asyncio streams, HTTP/1.0 so the event
stream is the plain body)."""
import asyncio
import json
import statistics
import sys
import time
import urllib.request
from urllib.parse import urlparse

url, raiser, officer, outsider, subscribers, calls = sys.argv[1:7]
subscribers, calls = int(subscribers), int(calls)
host, port = urlparse(url).hostname, urlparse(url).port
raised_at = {}
arrivals = []  # (call id, seconds from raise)
outsider_events = 0


async def subscribe(token, entitled, ready):
    global outsider_events
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    writer.write(f"GET /api/hotline/stream HTTP/1.0\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    assert b" 200 " in status, status
    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
        pass
    ready.set()
    data = ""
    while True:
        line = await reader.readline()
        if not line:
            return
        line = line.decode().rstrip("\r\n")
        if line.startswith("data:"):
            data += line[5:].strip()
        elif line == "" and data:
            now = time.monotonic()
            event = json.loads(data)
            data = ""
            if event["what"] != "raised":
                continue
            if entitled:
                call = event["hotline"]["title"]
                while call not in raised_at:
                    await asyncio.sleep(0.001)
                arrivals.append((call, now - raised_at[call]))
            else:
                outsider_events += 1


def raise_call(n):
    body = json.dumps({"title": f"bench call {n}", "text": "load"}).encode()
    req = urllib.request.Request(f"{url}/api/hotline", data=body, method="POST",
                                 headers={"Authorization": f"Bearer {raiser}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        assert r.status == 201, r.status


async def main():
    readies = []
    tasks = []
    for i in range(subscribers + 50):
        ready = asyncio.Event()
        readies.append(ready)
        entitled = i < subscribers
        tasks.append(asyncio.create_task(subscribe(officer if entitled else outsider, entitled, ready)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    print(f"{subscribers} officers and 50 outsiders connected")
    loop = asyncio.get_running_loop()
    for n in range(calls):
        title = f"bench call {n}"
        raised_at[title] = time.monotonic()
        await loop.run_in_executor(None, raise_call, n)
        deadline = time.monotonic() + 10
        while sum(1 for c, _ in arrivals if c == title) < subscribers and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)
    await asyncio.sleep(1)
    got = len(arrivals)
    lat = sorted(s for _, s in arrivals)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000
    print(f"deliveries {got} of {subscribers * calls} (outsiders received {outsider_events})")
    print(f"raise -> subscriber latency ms: p50 {p(0.50):.1f}  p99 {p(0.99):.1f}  max {lat[-1] * 1000:.1f}  mean {statistics.mean(lat) * 1000:.1f}")
    for t in tasks:
        t.cancel()
    ok = got == subscribers * calls and outsider_events == 0 and p(0.99) < 1000
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


asyncio.run(main())
