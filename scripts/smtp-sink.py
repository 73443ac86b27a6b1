#!/usr/bin/env python3
"""A real SMTP server on loopback for Haven's email-out tests (aiosmtpd).

Every accepted message is written to DIR/NNNN.eml with DIR/NNNN.json (envelope, TLS, login). Behaviour is
read from DIR/control.json at each command, so a test can change it while the server runs:

    {"rcpt": {"gone@example.com": "550 5.1.1 No such user"},   # per-recipient answers
     "data": ["451 4.3.0 Try later", "451 4.3.0 Try later"],  # answers to the end of DATA, used once each, in order
     "hang_data": true}                                        # never answer the end of DATA (a stuck server)

Prints "READY <port>" once it listens. Options: --starttls CERT KEY, --smtps CERT KEY, --auth USER:PASS.
"""
import argparse, asyncio, json, os, socket, ssl, sys, time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def control(directory):
    try:
        with open(os.path.join(directory, "control.json")) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


def consume_data_reply(directory):
    path = os.path.join(directory, "control.json")
    settings = control(directory)
    replies = settings.get("data") or []
    if not replies:
        return None
    reply = replies.pop(0)
    settings["data"] = replies
    with open(path + ".tmp", "w") as f:
        json.dump(settings, f)
    os.replace(path + ".tmp", path)
    return reply


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = control(self.directory).get("rcpt", {}).get(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if control(self.directory).get("hang_data"):
            open(os.path.join(self.directory, "hanging"), "w").close()
            await asyncio.sleep(3600)
            return "451 4.3.0 Gave up waiting"
        reply = consume_data_reply(self.directory)
        if reply:
            return reply
        names = [n for n in os.listdir(self.directory) if n.endswith(".eml")]
        stem = os.path.join(self.directory, "%04d" % (len(names) + 1))
        with open(stem + ".json.tmp", "w") as f:
            json.dump({
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "tls": server.transport.get_extra_info("ssl_object") is not None,
                "login": getattr(session, "haven_login", None),
                "helo": session.host_name,
            }, f)
        with open(stem + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.replace(stem + ".json.tmp", stem + ".json")
        os.replace(stem + ".eml.tmp", stem + ".eml")
        return "250 2.0.0 Queued as %s" % os.path.basename(stem)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--smtps", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth", metavar="USER:PASS")
    parser.add_argument("--only-login", action="store_true", help="offer AUTH LOGIN only (not PLAIN)")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    port = args.port
    if port == 0:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()

    options = {}
    tls_files = args.starttls or args.smtps
    if tls_files:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls_files)
        if args.smtps:
            options["ssl_context"] = context
        else:
            options["tls_context"] = context
            options["require_starttls"] = True
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            if ok:
                session.haven_login = user
            return AuthResult(success=ok, handled=False)

        options["authenticator"] = authenticator
        if args.only_login:
            options["auth_exclude_mechanism"] = ["PLAIN"]
        # With smtps the whole connection is TLS, but aiosmtpd only counts STARTTLS as encryption.
        options["auth_require_tls"] = not args.smtps
    else:
        options["auth_require_tls"] = False

    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=port, server_hostname="sink.test", **options)
    controller.start()
    print("READY %d" % port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
