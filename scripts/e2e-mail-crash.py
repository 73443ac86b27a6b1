#!/usr/bin/env python3
"""Kills Haven (SIGKILL) in the middle of sending a mail and checks the mail is delivered exactly once after a
restart. Real processes end to end: the `haven` binary on SQLite and scripts/smtp-sink.py (aiosmtpd).

  1. the SMTP server hangs after DATA, so Haven has claimed the acknowledgement job and is mid-send;
  2. Haven is killed with SIGKILL; the server is told to behave;
  3. Haven restarts on the same data; when the dead process's lease (3 s here) ends, the mail goes out;
  4. exactly one copy arrives, and the outbox says sent.

Usage: e2e-mail-crash.py PATH/TO/haven"""
import json, os, signal, subprocess, sys, tempfile, time, urllib.request

from e2e_support import free_port, listening, wait

haven = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp(prefix="haven-e2e-")
sink_dir = os.path.join(work, "sink")
os.makedirs(sink_dir)


def control(**settings):
    with open(os.path.join(sink_dir, "control.json"), "w") as f:
        json.dump(settings, f)


def api(port, method, path, token=None, body=None, content_type="application/json"):
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method, data=body)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if body is not None:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def delivered():
    return sorted(n for n in os.listdir(sink_dir) if n.endswith(".eml"))


control(hang_data=True)
sink = subprocess.Popen([sys.executable, os.path.join(here, "smtp-sink.py"), "--dir", sink_dir], stdout=subprocess.PIPE, text=True)
smtp_port = int(sink.stdout.readline().split()[1])
port = free_port()
command = [haven, "serve", "--data-dir", os.path.join(work, "data"), "--port", str(port), "--log-level", "warning",
           "--smtp-url", "smtp://127.0.0.1:%d?starttls=off&timeout=60" % smtp_port, "--mail-from", "Haven Support <support@haven.test>",
           "--outbox-lease", "3"]


def start(extra=()):
    process = subprocess.Popen(command + list(extra), stdout=subprocess.DEVNULL)
    wait("Haven to listen", lambda: listening("http://127.0.0.1:%d" % port))
    return process


try:
    haven_process = start(["--demo"])
    token = api(port, "POST", "/api/v1/auth/tokens", body=json.dumps({"email": "admin@haven.demo", "password": "haven-demo-2026"}).encode())["token"]
    mail = ("From: Ana <ana@example.com>\r\nTo: support@haven.test\r\nSubject: Conta bloqueada\r\nMessage-ID: <e2e-crash@example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nOlá, minha conta foi bloqueada sem motivo. Podem verificar, por favor?\r\n").encode()
    created = api(port, "POST", "/api/v1/mail/inbound", token, mail, "message/rfc822")
    assert created["outcome"] == "created" and created["acknowledge"], created

    wait("Haven to be mid-send", lambda: os.path.exists(os.path.join(sink_dir, "hanging")))
    haven_process.send_signal(signal.SIGKILL)
    haven_process.wait()
    print("killed Haven with SIGKILL while it was sending")
    control()

    haven_process = start()
    wait("the mail after the restart", delivered, seconds=60)
    time.sleep(5)  # long enough for a second copy, had there been one
    copies = delivered()
    outbox = api(port, "GET", "/api/v1/mail/outbox", token)
    ticket = api(port, "GET", "/api/v1/tickets/%d" % created["ticket_number"], token)
    haven_process.terminate()
    haven_process.wait(timeout=30)
    if len(copies) != 1 or outbox != {"sent": 1}:
        sys.exit("FAILED: %d copies delivered, outbox %s" % (len(copies), outbox))
    raw = open(os.path.join(sink_dir, copies[0]), "rb").read()
    assert b"In-Reply-To: <e2e-crash@example.com>" in raw and b"Auto-Submitted: auto-replied" in raw, raw[:600]
    print("delivered exactly once after the restart; outbox %s; ticket #%d" % (outbox, ticket["number"]))
finally:
    for process in ("haven_process" in globals() and [haven_process] or []) + [sink]:
        if process.poll() is None:
            process.kill()
