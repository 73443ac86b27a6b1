#!/usr/bin/env python3
"""LMTP ingest benchmark: N concurrent LMTP connections (as an MTA would open) deliver typical messages
(~20 KB: text, HTML alternative, one attachment; 70% new requests, 30% replies threading by In-Reply-To)
to Haven for DURATION seconds. Prints messages/s and per-message latency.
Usage: bench/lmtp.py PORT CONCURRENCY DURATION"""
import os, random, socket, sys, threading, time
from email.message import EmailMessage

port, concurrency, duration = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
REPLY_RATIO = float(os.environ.get("REPLY_RATIO", "0.3"))
PARAGRAPH = "Olá, equipe! Minha live caiu três vezes hoje e os presentes não apareceram no saldo. Já reiniciei o app e nada mudou. "
ATTACHMENT = bytes(random.Random(7).getrandbits(8) for _ in range(9000))

SMALL = os.environ.get("SMALL") == "1"

def template():
    m = EmailMessage()
    m["From"] = "Criador WORKER <creatorWORKER@example.com>"
    m["To"] = "support@haven.test"
    m["Subject"] = "Minha live caiu (SUBJECTNUMBER)"
    m["Message-ID"] = "<MESSAGEID@example.com>"
    m["X-Reply"] = "REPLYHEADER"
    m.set_content(PARAGRAPH * (2 if SMALL else 25))
    if not SMALL:
        m.add_alternative("<div>" + PARAGRAPH * 25 + "</div>", subtype="html")
        m.add_attachment(ATTACHMENT, maintype="image", subtype="png", filename="captura.png")
    return m.as_bytes()

TEMPLATE = template()  # built once: the client must not be what is measured

# Dot-stuffed, CRLF-terminated once: per message only the ids change (smtplib would re-scan 20 KB with regexes).
STUFFED = TEMPLATE.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n"

latencies, errors, lock = [], [0], threading.Lock()

def read_reply(sock, buffer):
    """One (possibly multi-line) reply: its code."""
    while True:
        while b"\r\n" not in buffer[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            buffer[0] += chunk
        line, buffer[0] = buffer[0].split(b"\r\n", 1)
        if line[3:4] != b"-":
            return int(line[:3])

def worker(index):
    rng = random.Random(index)
    sent = []
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    buffer = [b""]
    read_reply(sock, buffer)
    sock.sendall(b"LHLO bench\r\n"); read_reply(sock, buffer)
    n, deadline = 0, time.time() + duration
    while time.time() < deadline:
        reply_to = sent[-1] if sent and rng.random() < 0.3 else None
        mid = f"bench-{index}-{n}-{time.time_ns()}"
        data = (STUFFED.replace(b"WORKER", f"{index}-{n % 50}".encode()).replace(b"SUBJECTNUMBER", f"{index}-{n}".encode())
                .replace(b"MESSAGEID", mid.encode())
                .replace(b"X-Reply: REPLYHEADER", f"In-Reply-To: <{reply_to}@example.com>".encode() if reply_to else b"X-Reply: none"))
        start = time.perf_counter()
        # PIPELINING: envelope and DATA in one write, as Postfix does.
        sock.sendall(b"MAIL FROM:<creator%d@example.com>\r\nRCPT TO:<support@haven.test>\r\nDATA\r\n" % index)
        codes = [read_reply(sock, buffer) for _ in range(3)]
        sock.sendall(data)
        code = read_reply(sock, buffer)
        elapsed = time.perf_counter() - start
        with lock:
            if codes == [250, 250, 354] and code == 250:
                latencies.append(elapsed)
            else:
                errors[0] += 1
        sent.append(mid)
        n += 1
    sock.sendall(b"QUIT\r\n")
    sock.close()

threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
start = time.time()
for t in threads: t.start()
for t in threads: t.join()
wall = time.time() - start
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0
print("RESULT msgs_per_s=%.0f p50_ms=%.1f p99_ms=%.1f messages=%d errors=%d" % (len(latencies) / wall, p(0.5), p(0.99), len(latencies), errors[0]))
