#!/usr/bin/env python3
"""Signs in-app identities the way an app's backend does: HS256 JWTs with the app's secret (standard library only).
Usage: sign-identity.py --secret S --app APP [--user ID | --users N] [--locale pt-BR] [--hours 1]
Prints one token a line. Used by bench/run-inapp and scripts/schemathesis.sh; also handy to try the API with curl."""
import argparse, base64, hashlib, hmac, json, time

def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def sign(secret: str, claims: dict) -> str:
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims).encode())
    return head + "." + b64(hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest())

parser = argparse.ArgumentParser()
parser.add_argument("--secret", required=True)
parser.add_argument("--app", required=True)
parser.add_argument("--user")
parser.add_argument("--users", type=int, default=1)
parser.add_argument("--locale", default="en")
parser.add_argument("--hours", type=float, default=1)
args = parser.parse_args()
now = int(time.time())
users = [args.user] if args.user else [f"user-{i}" for i in range(args.users)]
for user in users:
    print(sign(args.secret, {"iss": args.app, "sub": user, "iat": now, "exp": now + int(args.hours * 3600), "locale": args.locale}))
