#!/usr/bin/env python3
"""Live chat against real `haven` processes over real WebSockets (the `websockets` package):

  1. restart: a customer sends 30 numbered messages while Haven is killed with SIGKILL and started again mid-way;
     the client resends what was not acknowledged, with the same ids, after reconnecting from its last sequence
     number. The conversation holds each message exactly once, in the order sent, and the customer received the
     agent's messages (some written while it was away) exactly once, in order.
  2. two nodes (with --postgres URL): two Haven processes on one PostgreSQL database; the customer on node A and the
     agent on node B talk both ways (events cross through LISTEN/NOTIFY).

Usage: e2e-chat-nodes.py PATH/TO/haven [--postgres postgres://…/postgres]"""
import asyncio, json, os, signal, subprocess, sys, tempfile, time, urllib.request

import websockets

from e2e_support import Checks, free_port, listening, session_cookie, wait

haven = os.path.abspath(sys.argv[1])
postgres = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
work = tempfile.mkdtemp(prefix="haven-e2e-nodes-")
check = Checks()


def start(port, database_args, demo=True):
    process = subprocess.Popen([haven, "serve", "--port", str(port), "--log-level", "warning"] + (["--demo"] if demo else []) + database_args,
                               stdout=open(os.path.join(work, "haven-%d.log" % port), "a"), stderr=subprocess.STDOUT)
    wait("Haven on %d" % port, lambda: listening("http://127.0.0.1:%d" % port), seconds=60)
    return process


def http(port, method, path, body=None, token=None):
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def api_token(port):
    return http(port, "POST", "/api/v1/auth/tokens", {"email": "sofia@haven.demo", "password": "haven-demo-2026"})["token"]


class Customer:
    """The widget's logic, in Python: numbered messages resent until acknowledged, resume after the last number."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.last, self.entries, self.pending, self.acked = 0, [], {}, set()

    async def session(self, until):
        async with websockets.connect("ws://127.0.0.1:%d/chat/socket" % self.port, open_timeout=5) as socket:
            await socket.send(json.dumps({"type": "hello", "token": self.token, "after": self.last}))
            for id, text in list(self.pending.items()):
                await socket.send(json.dumps({"type": "send", "id": id, "text": text}))
            await until(socket)

    def receive(self, frame):
        if frame["type"] == "entry":
            assert frame["seq"] > self.last, "an entry came twice or out of order: %s after %d" % (frame, self.last)
            self.last = frame["seq"]
            self.entries.append(frame)
        elif frame["type"] == "ack":
            self.pending.pop(frame["id"], None)
            self.acked.add(frame["id"])


async def restart_test():
    port = free_port()
    data = ["--data-dir", os.path.join(work, "data")]
    server = start(port, data)
    token = api_token(port)
    started = http(port, "POST", "/chat/conversations", {"email": "lena@example.com", "message": "start", "language": "en"})
    number = started["ticket"]
    customer = Customer(port, started["token"])
    http(port, "POST", "/api/v1/tickets/%d/messages" % number, {"body": "agent 1"}, token)
    texts = ["customer %02d" % n for n in range(1, 31)]

    async def send_half(socket):
        for n, text in enumerate(texts[:15]):
            customer.pending["c-%02d" % (n + 1)] = text
            await socket.send(json.dumps({"type": "send", "id": "c-%02d" % (n + 1), "text": text}))
        # Read a few answers, then the server dies under the client with messages in flight.
        deadline = time.time() + 5
        while len(customer.acked) < 5 and time.time() < deadline:
            customer.receive(json.loads(await asyncio.wait_for(socket.recv(), 5)))
        server.send_signal(signal.SIGKILL)
        server.wait()
        try:
            while True:
                customer.receive(json.loads(await asyncio.wait_for(socket.recv(), 2)))
        except Exception:
            pass

    await customer.session(send_half)
    check(0 < len(customer.acked) < 30, "Haven was killed with %d of 15 messages acknowledged" % len(customer.acked))
    server = start(port, data, demo=False)
    http(port, "POST", "/api/v1/tickets/%d/messages" % number, {"body": "agent 2 (while the customer was away)"}, token)

    async def send_rest(socket):
        for n, text in enumerate(texts[15:], start=16):
            customer.pending["c-%02d" % n] = text
            await socket.send(json.dumps({"type": "send", "id": "c-%02d" % n, "text": text}))
        deadline = time.time() + 10
        while (customer.pending or len([e for e in customer.entries if e.get("text", "").startswith("customer")]) < 30) and time.time() < deadline:
            customer.receive(json.loads(await asyncio.wait_for(socket.recv(), 10)))

    await customer.session(send_rest)
    check(not customer.pending and len(customer.acked) == 30, "after the restart every message is acknowledged (30)")
    ticket = http(port, "GET", "/api/v1/tickets/%d" % number, token=token)
    bodies = [m["body"] for m in ticket["messages"]]
    stored = [b for b in bodies if b.startswith("customer")]
    check(stored == texts, "the conversation holds each of the 30 messages once, in the order sent")
    seen = [e["text"] for e in customer.entries if e.get("kind") == "message"]
    check(seen.count("agent 1") == 1 and seen.count("agent 2 (while the customer was away)") == 1,
          "the customer got the agent's messages once each, including the one written while it was away")
    check([t for t in seen if t.startswith("customer")] == texts, "the customer's stream shows its own messages once each, in order")
    server.terminate()
    server.wait(timeout=20)


async def two_nodes():
    database = postgres.rsplit("/", 1)[0] + "/haven_e2e_nodes_%d" % os.getpid() + ("?" + postgres.split("?", 1)[1] if "?" in postgres else "")
    admin = subprocess.run(["psql", postgres.split("?")[0], "-tAc", "CREATE DATABASE haven_e2e_nodes_%d" % os.getpid()], capture_output=True, text=True)
    check(admin.returncode == 0, "a fresh PostgreSQL database for two nodes " + admin.stderr.strip())
    a_port, b_port = free_port(), free_port()
    node_a = start(a_port, ["--database-url", database])
    node_b = start(b_port, ["--database-url", database], demo=False)
    try:
        started = http(a_port, "POST", "/chat/conversations", {"email": "omar@example.com", "message": "مرحبا، البث انقطع", "language": "ar"})
        number = started["ticket"]
        cookie = session_cookie("http://127.0.0.1:%d" % b_port, "sofia@haven.demo")
        async with websockets.connect("ws://127.0.0.1:%d/chat/socket" % a_port) as customer, \
                websockets.connect("ws://127.0.0.1:%d/workspace/chat/socket" % b_port, additional_headers={"Cookie": "haven_session=" + cookie}) as agent:
            await customer.send(json.dumps({"type": "hello", "token": started["token"]}))
            await agent.send(json.dumps({"type": "hello", "ticket": number}))

            async def next_entry(socket, text):
                deadline = time.time() + 5
                while time.time() < deadline:
                    frame = json.loads(await asyncio.wait_for(socket.recv(), 5))
                    if frame["type"] == "entry" and frame.get("text") == text:
                        return time.time()
                raise AssertionError("no entry %r" % text)

            # Within 1.5 s: a lost notice would still arrive by the chats' 5 s catch-up, and a 5 s bound hid one.
            sent = time.time()
            await agent.send(json.dumps({"type": "send", "id": "b-1", "text": "أهلا عمر، أنا أتحقق الآن"}))
            arrived = await next_entry(customer, "أهلا عمر، أنا أتحقق الآن")
            check(arrived - sent < 1.5, "the agent on node B reaches the customer on node A (%.0f ms)" % ((arrived - sent) * 1000))
            sent = time.time()
            await customer.send(json.dumps({"type": "send", "id": "a-1", "text": "شكرا"}))
            arrived = await next_entry(agent, "شكرا")
            check(arrived - sent < 1.5, "the customer on node A reaches the agent on node B (%.0f ms)" % ((arrived - sent) * 1000))
    finally:
        for node in (node_a, node_b):
            node.terminate()
            node.wait(timeout=20)
        subprocess.run(["psql", postgres.split("?")[0], "-tAc", "DROP DATABASE IF EXISTS haven_e2e_nodes_%d WITH (FORCE)" % os.getpid()], capture_output=True)


try:
    asyncio.run(restart_test())
    if postgres:
        asyncio.run(two_nodes())
    print("%d passed, 0 failed" % check.passed)
except Exception as failure:
    print("FAILED:", repr(failure))
    print("logs in", work)
    print("%d passed, 1 failed" % check.passed)
    sys.exit(1)
