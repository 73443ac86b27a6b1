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
