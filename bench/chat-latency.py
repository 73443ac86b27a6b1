#!/usr/bin/env python3
"""Live chat under load: N open chats, each customer sending one message a second; measures how long a message
takes from the customer's send to the agent's socket (end to end: WebSocket in, triage, commit, wake-up, read,
WebSocket out), and the server's memory (RSS) under that load.

  bench/chat-latency.py PATH/TO/haven [--chats 1000] [--seconds 30] [--postgres URL]

With --postgres, two Haven nodes share one PostgreSQL database: customers talk to node A, agents listen on node B.
The load client runs on the same machine as the server(s), in one Python process: its own delays count in the figures.
"""
import asyncio, json, os, random, subprocess, sys, tempfile, time, urllib.request

import websockets

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from e2e_support import free_port, listening, session_cookie, wait

haven = os.path.abspath(sys.argv[1])
chats = int(sys.argv[sys.argv.index("--chats") + 1]) if "--chats" in sys.argv else 1000
seconds = int(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 30
postgres = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
work = tempfile.mkdtemp(prefix="haven-chat-bench-")


def start(port, args, demo):
    # As behind a reverse proxy: every visitor has their own address (chat starts are limited per address).
    process = subprocess.Popen([haven, "serve", "--port", str(port), "--log-level", "error", "--trusted-proxy", "127.0.0.1"] + (["--demo"] if demo else []) + args,
                               stdout=open(os.path.join(work, "haven-%d.log" % port), "w"), stderr=subprocess.STDOUT)
    wait("Haven", lambda: listening("http://127.0.0.1:%d" % port), seconds=120)
    return process


def start_chat(port, n):
    body = json.dumps({"email": "load%d@example.com" % n, "message": "chat %d starts" % n, "language": "en"}).encode()
    request = urllib.request.Request("http://127.0.0.1:%d/chat/conversations" % port, data=body, headers={"Content-Type": "application/json", "X-Forwarded-For": "10.%d.%d.%d" % (n >> 16 & 255, n >> 8 & 255, n & 255)})
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


def rss_mb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0


async def main():
    a_port = free_port()
    if postgres:
        name = "haven_chat_bench_%d" % os.getpid()
        subprocess.run(["psql", postgres.split("?")[0], "-tAc", "CREATE DATABASE " + name], check=True, capture_output=True)
        url = postgres.rsplit("/", 1)[0] + "/" + name + ("?" + postgres.split("?", 1)[1] if "?" in postgres else "")
        nodes = [start(a_port, ["--database-url", url], True)]
        b_port = free_port()
        nodes.append(start(b_port, ["--database-url", url], False))
    else:
        nodes = [start(a_port, ["--data-dir", os.path.join(work, "data")], True)]
        b_port = a_port
    try:
        started = [start_chat(a_port, n) for n in range(chats)]
        cookie = session_cookie("http://127.0.0.1:%d" % b_port, "sofia@haven.demo")
        sent_at, latencies, ack_sent_at, ack_latencies = {}, [], {}, []
        agents, customers = [], []
        for chat in started:
            agent = await websockets.connect("ws://127.0.0.1:%d/workspace/chat/socket" % b_port, additional_headers={"Cookie": "haven_session=" + cookie},
                                             max_queue=None, ping_interval=None)
            await agent.send(json.dumps({"type": "hello", "ticket": chat["ticket"]}))
            customer = await websockets.connect("ws://127.0.0.1:%d/chat/socket" % a_port, max_queue=None, ping_interval=None)
            await customer.send(json.dumps({"type": "hello", "token": chat["token"]}))
            agents.append(agent)
            customers.append(customer)

        async def listen_agent(socket):
            async for text in socket:
                frame = json.loads(text)
                if frame.get("type") == "entry" and frame.get("client_id") in sent_at:
                    latencies.append(time.perf_counter() - sent_at.pop(frame["client_id"]))

        async def listen_customer(socket):
            # The acknowledgement: the message is committed (its share of the latency is the write's).
            async for text in socket:
                frame = json.loads(text)
                if frame.get("type") == "ack" and frame.get("id") in ack_sent_at:
                    ack_latencies.append(time.perf_counter() - ack_sent_at.pop(frame["id"]))

        async def talk(n, socket):
            await asyncio.sleep(random.random())  # spread the chats over the second
            for i in range(seconds):
                id = "b-%d-%d" % (n, i)
                sent_at[id] = ack_sent_at[id] = time.perf_counter()
                await socket.send(json.dumps({"type": "send", "id": id, "text": "message %d of chat %d: my LIVE keeps dropping" % (i, n)}))
                await asyncio.sleep(1)

        listeners = [asyncio.create_task(listen_agent(s)) for s in agents] + [asyncio.create_task(listen_customer(s)) for s in customers]
        await asyncio.sleep(1)
        began = time.perf_counter()
        rss = []

        async def sample():
            while True:
                rss.append(max(rss_mb(node.pid) for node in nodes))
                await asyncio.sleep(2)

        sampler = asyncio.create_task(sample())
        await asyncio.gather(*(talk(n, s) for n, s in enumerate(customers)))
        await asyncio.sleep(2)
        elapsed = time.perf_counter() - began
        sampler.cancel()
        for task in listeners:
            task.cancel()
        for socket in agents + customers:
            await socket.close()
        expected = chats * seconds
        latencies.sort()
        ack_latencies.sort()
        q = lambda p, values=latencies: values[min(len(values) - 1, int(p * len(values)))] * 1000
        print("%s, %d chats, %d s: %d of %d messages reached the agent (%.0f/s)" % (
            "two nodes on PostgreSQL" if postgres else "one node on SQLite", chats, seconds, len(latencies), expected, len(latencies) / elapsed))
        print("customer → agent latency: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms" % (q(0.5), q(0.95), q(0.99), q(1.0)))
        print("customer → ack (committed): p50 %.1f ms, p95 %.1f ms, p99 %.1f ms" % (q(0.5, ack_latencies), q(0.95, ack_latencies), q(0.99, ack_latencies)))
        print("server RSS under load: max %.0f MB (per node)" % max(rss))
    finally:
        for node in nodes:
            node.terminate()
            node.wait(timeout=30)
        if postgres:
            subprocess.run(["psql", postgres.split("?")[0], "-tAc", "DROP DATABASE IF EXISTS haven_chat_bench_%d WITH (FORCE)" % os.getpid()], capture_output=True)


asyncio.run(main())
