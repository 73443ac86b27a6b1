#!/usr/bin/env python3
"""Times workspace pages of a running `haven serve` over loopback: signs in as the benchmark agent, warms up, then
requests each page N times one after the other (keep-alive) and prints p50/p95/p99 in milliseconds.

Usage: inbox-timing.py PATH/TO/haven DATA_DIR [requests per page]"""
import http.client, re, socket, subprocess, sys, time, urllib.parse

haven, data = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = subprocess.Popen([haven, "serve", "--data-dir", data, "--port", str(port), "--log-level", "warning"], stdout=subprocess.DEVNULL)
try:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(method, path, body=None, cookies=None):
        headers = {"Cookie": "; ".join("%s=%s" % kv for kv in (cookies or {}).items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read()

    response, page = request("GET", "/login")
    token = re.search(rb'name="login_token" value="([^"]+)"', page).group(1).decode()
    cookie = response.getheader("Set-Cookie").split(";")[0].split("=", 1)
    form = urllib.parse.urlencode({"email": "agent0@bench.test", "password": "bench-password-1", "login_token": token})
    response, _ = request("POST", "/login", form, {cookie[0]: cookie[1]})
    session = response.getheader("Set-Cookie").split(";")[0].split("=", 1)
    cookies = {session[0]: session[1]}

    pages = [
        ("inbox, mine", "/inbox?view=mine"),
        ("inbox, unassigned", "/inbox?view=unassigned"),
        ("inbox, all unsolved", "/inbox?view=all"),
        ("inbox, one queue", "/inbox?queue=mena-live"),
        ("inbox, filtered (pt, urgent)", "/inbox?view=all&language=pt&priority=urgent"),
        ("search, one common word", "/inbox?view=all&q=conta"),
        ("search, two words", "/inbox?view=all&q=senha+celular"),
        ("search, Arabic", "/inbox?view=all&q=" + urllib.parse.quote("بث مباشر")),
        ("search, rare prefix", "/inbox?view=all&q=verifi+carteira+recurso"),
        ("ticket page", "/tickets/12345"),
    ]
    print("| page | p50 ms | p95 ms | p99 ms | bytes |")
    print("|---|---|---|---|---|")
    for name, path in pages:
        for _ in range(10):
            request("GET", path, cookies=cookies)
        times = []
        for _ in range(count):
            started = time.perf_counter()
            response, body = request("GET", path, cookies=cookies)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, (path, response.status)
        times.sort()
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
        print("| %s | %.1f | %.1f | %.1f | %d |" % (name, pick(0.5), pick(0.95), pick(0.99), len(body)))
finally:
    server.terminate()
    server.wait()
