#!/usr/bin/env python3
"""Reads messages with Python's email parser (the modern policy) and prints what a mail client would see, as
JSON: decoded headers, the text and HTML parts, attachment names, and every defect the parser found.
Haven's tests use it to check the mail Haven sends. Usage: read-mail.py FILE..."""
import email, email.policy, json, sys

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    defects = [type(d).__name__ for d in message.defects]
    text = html = None
    attachments = []
    for part in message.walk():
        defects += [type(d).__name__ for d in part.defects]
        if part.is_multipart():
            continue
        if part.get_filename():
            attachments.append({"filename": part.get_filename(), "type": part.get_content_type(), "size": len(part.get_payload(decode=True))})
        elif part.get_content_type() == "text/plain" and text is None:
            text = part.get_content()
        elif part.get_content_type() == "text/html" and html is None:
            html = part.get_content()
    headers = {k.lower(): str(v) for k, v in message.items()}
    longest = max(len(line) for line in open(path, "rb").read().split(b"\r\n"))
    out.append({"headers": headers, "text": text, "html": html, "attachments": attachments, "defects": defects, "longest_line": longest})
print(json.dumps(out))
