"""What the end-to-end scripts share: a free loopback port, and waiting for something with a deadline."""
import socket, time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait(what, check, seconds=60):
    """Polls `check` until it returns something true, and returns it; fails the run after `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit("FAILED: timed out waiting for " + what)


class Checks:
    """Counts what an end-to-end script has checked; the first failed check stops the run."""

    def __init__(self):
        self.passed = 0

    def __call__(self, condition, what):
        if not condition:
            raise AssertionError(what)
        self.passed += 1
        print("ok -", what)


def listening(base):
    """True once Haven at `base` (http://host:port) answers its health check."""
    import urllib.request
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
        return True
    except Exception:
        return False


def session_cookie(base, email, password="haven-demo-2026"):
    """Signs in on the workspace's form (its anti-forgery cookie and token) and returns the session cookie's value."""
    import urllib.parse, urllib.request
    from http.cookiejar import CookieJar
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login?lang=en").read().decode()
    token = page.split('name="login_token" value="')[1].split('"')[0]
    opener.open(base + "/login", data=urllib.parse.urlencode({"email": email, "password": password, "login_token": token}).encode())
    return next(c.value for c in jar if c.name == "haven_session")
