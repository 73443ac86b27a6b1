#!/usr/bin/env python3
"""The live chat in real headless Chromium (selenium + Debian's chromium-driver), against the real `haven` binary on
SQLite with the demo data: a customer's browser with the widget, and an agent's browser with the workspace.

  1. nobody is online: the widget says so honestly and offers to leave a message (French), which becomes a ticket;
  2. an agent signs in; a customer starts a chat (English) and waits in the queue; it appears in the agent's open
     inbox without a reload (/workspace/socket);
  3. the agent opens the ticket and takes it: the customer sees them join;
  4. the agent answers from the ticket page without a reload; the customer sees it, and the agent sees the customer's
     answer appear live; typing shows on the customer's side;
  5. the customer reloads the page (a dropped connection): the conversation comes back, each line once;
  6. the customer sends a screenshot: it shows in the widget, and the agent's page lists it live, as a download;
  6b. several at once: a second customer's chat and an email ticket, each in its own tab; each answer reaches only its
     customer (the email by mail); the first chat's tab keeps up in the background; the Live chats view shows the
     agent's load;
  7. the widget in Arabic is right to left; axe-core finds no serious or critical violation (English and Arabic);
  8. the customer ends the chat: the agent's page says so; the customer has the transcript emailed (a real SMTP
     server, scripts/smtp-sink.py) and it holds the whole conversation.

Usage: e2e-chat.py PATH/TO/haven [--screenshots DIR]"""
import email, email.policy, json, os, subprocess, sys, tempfile, time

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.support import expected_conditions
from axe_selenium_python import Axe

from e2e_support import Checks, free_port, listening, session_cookie, wait

haven = os.path.abspath(sys.argv[1])
screenshots = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
work = tempfile.mkdtemp(prefix="haven-e2e-chat-")
check = Checks()


sink_dir = os.path.join(work, "mail")
os.makedirs(sink_dir)
sink = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp-sink.py"), "--dir", sink_dir],
                        stdout=subprocess.PIPE, text=True)
smtp_port = int(sink.stdout.readline().split()[1])
port = free_port()
base = "http://127.0.0.1:%d" % port
server = subprocess.Popen([haven, "serve", "--demo", "--data-dir", os.path.join(work, "data"), "--port", str(port), "--log-level", "warning",
                           "--smtp-url", "smtp://127.0.0.1:%d?starttls=off&timeout=30" % smtp_port, "--mail-from", "Haven Support <support@haven.test>"],
                          stdout=open(os.path.join(work, "haven.log"), "w"), stderr=subprocess.STDOUT)


def png(width, height):
    """A real PNG a browser decodes (a customer's screenshot): a blue picture."""
    import struct, zlib
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xf5\xb7\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


screenshot = os.path.join(work, "stream-settings.png")
with open(screenshot, "wb") as f:
    f.write(png(120, 80))


def mails():
    """The messages the SMTP server accepted, parsed as a mail client would."""
    found = []
    for name in sorted(n for n in os.listdir(sink_dir) if n.endswith(".eml")):
        with open(os.path.join(sink_dir, name), "rb") as f:
            found.append(email.message_from_binary_file(f, policy=email.policy.default))
    return found


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1300,950", "--lang=en-US"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
    driver.set_page_load_timeout(20)
    return driver


def until(driver, what, condition, seconds=10):
    try:
        return WebDriverWait(driver, seconds).until(lambda d: condition())
    except Exception:
        raise AssertionError("timed out: " + what)


def accessible(driver, name):
    axe = Axe(driver)
    axe.inject()
    results = axe.run(options={"resultTypes": ["violations"]})
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    for violation in serious:
        print("  axe:", violation["id"], violation["impact"], violation["help"], [(n["target"], n["html"][:200], n.get("failureSummary", "")[:300]) for n in violation["nodes"][:3]])
    check(not serious, "axe: no serious or critical violation on " + name)


def shot(driver, name):
    if screenshots:
        os.makedirs(screenshots, exist_ok=True)
        driver.save_screenshot(os.path.join(screenshots, name + ".png"))


def open_widget(driver, lang):
    driver.get(base + "/chat?lang=" + lang)
    launcher = until(driver, "the launcher", lambda: driver.find_element(By.CSS_SELECTOR, ".haven-chat-launcher"))
    launcher.click()
    until(driver, "the panel to open", lambda: driver.find_element(By.ID, "haven-chat-panel").is_displayed())


def log_texts(driver):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".haven-chat-log .haven-chat-text")]


customer = agent = None
try:
    wait("Haven to listen", lambda: listening(base), seconds=60)
    customer, agent = browser(), browser()

    # 1. Nobody online: say so, and take a message for email.
    open_widget(customer, "fr")
    note = until(customer, "the unavailable note", lambda: customer.find_element(By.CSS_SELECTOR, ".haven-chat-start .haven-chat-note"))
    check("Personne" in note.text, "with nobody online the widget says so, in French")
    customer.find_element(By.ID, "haven-chat-email").send_keys("zoe@example.com")
    customer.find_element(By.ID, "haven-chat-message").send_keys("Mon LIVE a été coupé pendant une collecte.")
    customer.find_element(By.CSS_SELECTOR, ".haven-chat-start button[type=submit]").click()
    done = until(customer, "the confirmation", lambda: customer.find_element(By.CSS_SELECTOR, ".haven-chat-body > .haven-chat-note"))
    check("demande n°" in done.text, "the message left becomes a request answered by email: " + done.text)
    customer.execute_script("localStorage.clear()")

    # 2. An agent signs in (online); a customer starts a chat.
    agent.get(base + "/login?lang=en")
    agent.find_element(By.ID, "email").send_keys("sofia@haven.demo")
    agent.find_element(By.ID, "password").send_keys("haven-demo-2026")
    agent.find_element(By.CSS_SELECTOR, ".signin-form button").click()
    until(agent, "the inbox", lambda: agent.current_url.endswith("/inbox"))
    agent.execute_script("window.__inboxPage = true")
    open_widget(customer, "en")
    check(customer.find_element(By.ID, "haven-chat-panel").get_attribute("dir") == "ltr", "the English widget is left to right")
    until(customer, "the start form", lambda: customer.find_element(By.ID, "haven-chat-name"))
    accessible(customer, "the help centre with the chat's start form (English)")
    customer.find_element(By.ID, "haven-chat-name").send_keys("Lena Costa")
    customer.find_element(By.ID, "haven-chat-email").send_keys("lena@example.com")
    customer.find_element(By.ID, "haven-chat-message").send_keys("My LIVE stream keeps getting cut off after 2 minutes")
    customer.find_element(By.CSS_SELECTOR, ".haven-chat-start button[type=submit]").click()
    until(customer, "the first line", lambda: "My LIVE stream keeps getting cut off after 2 minutes" in log_texts(customer))
    check("queue" in customer.find_element(By.CSS_SELECTOR, ".haven-chat-status").text, "the customer is told they wait in the queue")
    number = json.loads(customer.execute_script("return localStorage.getItem('haven-chat:' + location.origin)"))["ticket"]
    until(agent, "the new chat in the open inbox", lambda: "#%d" % number in agent.find_element(By.ID, "inbox-results").text)
    check(agent.execute_script("return window.__inboxPage === true"), "the new chat appears in the agent's open inbox without a reload")

    # 3. The agent takes it.
    agent.get(base + "/tickets/%d" % number)
    until(agent, "the live console", lambda: agent.find_element(By.ID, "chat-live"))
    agent.find_element(By.ID, "take").click()
    until(agent, "the page after taking", lambda: "notice=taken" in agent.current_url)
    joined = until(customer, "the joined line", lambda: [e.text for e in customer.find_elements(By.CSS_SELECTOR, ".haven-chat-event") if "joined" in e.text])
    check("Sofia joined the chat" in joined, "the customer sees the agent join, by first name")

    # 4. Both ways, live.
    until(agent, "the console's socket", lambda: agent.execute_script("return document.querySelector('#chat-live .chat-state').textContent === ''"))
    agent.execute_script("window.__samePage = true")
    box = agent.find_element(By.ID, "reply-body")
    box.send_keys("Hi Lena, I'm checking your stream settings now.")
    typing = until(customer, "the typing line", lambda: customer.find_element(By.CSS_SELECTOR, ".haven-chat-typing").text)
    check(typing == "Sofia is typing…", "the customer sees the agent typing: " + typing)
    agent.find_element(By.ID, "send").click()
    until(customer, "the agent's answer", lambda: "Hi Lena, I'm checking your stream settings now." in log_texts(customer))
    check(agent.execute_script("return window.__samePage === true"), "the agent's answer went into the chat without a reload")
    composer = customer.find_element(By.ID, "haven-chat-input")
    composer.send_keys("Thanks! It is on the 720p preset.")
    composer.send_keys(Keys.ENTER)
    until(agent, "the customer's answer on the ticket page", lambda: "Thanks! It is on the 720p preset." in agent.find_element(By.CSS_SELECTOR, ".timeline").text)
    check(agent.execute_script("return window.__samePage === true"), "the customer's answer appears on the agent's page live")
    until(customer, "the ack", lambda: not customer.find_elements(By.CSS_SELECTOR, ".haven-chat-line.haven-chat-pending .haven-chat-state"))

    # 5. A reload (a dropped connection): the conversation comes back, each line once.
    customer.refresh()
    customer.find_element(By.CSS_SELECTOR, ".haven-chat-launcher").click()
    until(customer, "the conversation after a reload", lambda: "Thanks! It is on the 720p preset." in log_texts(customer))
    time.sleep(0.5)
    texts = log_texts(customer)
    check(texts.count("Hi Lena, I'm checking your stream settings now.") == 1 and len(texts) == len(set(texts)) == 3,
          "after a reload every line is shown once, in order: %s" % texts)
    accessible(customer, "the chat conversation (English)")

    # 6. A screenshot: shown to the customer, listed live on the agent's page as a download.
    customer.find_element(By.ID, "haven-chat-file").send_keys(screenshot)
    until(customer, "the picture in the widget", lambda: customer.execute_script(
        "const i = document.querySelector('.haven-chat-line:not(.haven-chat-pending) img'); return i && i.complete && i.naturalWidth === 120"))
    check(customer.find_element(By.CSS_SELECTOR, ".haven-chat-line img").get_attribute("alt") == "stream-settings.png",
          "the customer's screenshot is sent and shown in the widget, named for screen readers")
    link = until(agent, "the file on the agent's page", lambda: [a for a in agent.find_elements(By.CSS_SELECTOR, ".timeline .files a") if a.text == "stream-settings.png"])
    check(link[0].get_attribute("href").startswith(base + "/attachments/") and agent.execute_script("return window.__samePage === true"),
          "the agent's page lists the screenshot live, as a download link")
    shot(customer, "chat-widget")
    shot(agent, "chat-console")

    # 6b. Several at once: a second chat and an email, each in its own tab, while the first chat goes on.
    second = browser()
    try:
        open_widget(second, "en")
        until(second, "the second start form", lambda: second.find_element(By.ID, "haven-chat-name"))
        second.find_element(By.ID, "haven-chat-name").send_keys("Omar Haddad")
        second.find_element(By.ID, "haven-chat-email").send_keys("omar@example.com")
        second.find_element(By.ID, "haven-chat-message").send_keys("I cannot withdraw my gifts balance")
        second.find_element(By.CSS_SELECTOR, ".haven-chat-start button[type=submit]").click()
        until(second, "the second chat's first line", lambda: "I cannot withdraw my gifts balance" in log_texts(second))
        number2 = json.loads(second.execute_script("return localStorage.getItem('haven-chat:' + location.origin)"))["ticket"]
        first_tab = agent.current_window_handle
        agent.switch_to.new_window("tab")
        agent.get(base + "/tickets/%d" % number2)
        until(agent, "the second console", lambda: agent.find_element(By.ID, "chat-live"))
        agent.find_element(By.ID, "take").click()
        until(agent, "the second chat taken", lambda: "notice=taken" in agent.current_url)
        until(agent, "the second console's socket", lambda: agent.execute_script("return document.querySelector('#chat-live .chat-state').textContent === ''"))
        agent.find_element(By.ID, "reply-body").send_keys("Hi Omar, let me look at your balance.")
        agent.find_element(By.ID, "send").click()
        until(second, "the answer in the second chat", lambda: "Hi Omar, let me look at your balance." in log_texts(second))
        check("Hi Omar, let me look at your balance." not in log_texts(customer), "each chat gets its own answer: the second customer's, not the first's")
        # A third tab: an email ticket, answered by email.
        agent.switch_to.new_window("tab")
        agent.get(base + "/inbox?view=all&channel=email")
        agent.find_element(By.CSS_SELECTOR, "table.tickets tbody tr .subject a").click()
        until(agent, "the email ticket", lambda: agent.find_elements(By.ID, "reply-body"))
        agent.find_element(By.ID, "reply-body").send_keys("We have answered your email between two chats.")
        agent.find_element(By.ID, "send").click()
        until(agent, "the email reply sent", lambda: "notice=sent" in agent.current_url)
        answered = until(agent, "the email reply in the mailbox", lambda: [m for m in mails() if "between two chats" in m.get_body(("plain",)).get_content()], seconds=20)
        check(len(answered) == 1 and answered[0]["To"].addresses[0].addr_spec.endswith("@example.com"),
              "an email ticket is answered in a third tab, and its customer receives it once")
        # Meanwhile the first customer writes: the first tab, in the background, kept up without a reload.
        composer = customer.find_element(By.ID, "haven-chat-input")
        composer.send_keys("Are you still there?")
        composer.send_keys(Keys.ENTER)
        agent.get(base + "/inbox?view=chats")
        load = [row.text for row in agent.find_elements(By.CSS_SELECTOR, ".chat-load tbody tr") if "Sofia Mendes" in row.text]
        listed = agent.find_element(By.ID, "inbox-results").text
        check("#%d" % number in listed and "#%d" % number2 in listed and load and " 2 " in " " + load[0].split("Online")[-1] + " ",
              "the Live chats view lists both chats, and Sofia holds 2 (%s)" % load)
        agent.close()
        agent.switch_to.window(agent.window_handles[1])
        agent.close()
        agent.switch_to.window(first_tab)
        until(agent, "the first customer's line in the first tab", lambda: "Are you still there?" in agent.find_element(By.CSS_SELECTOR, ".timeline").text)
        check(agent.execute_script("return window.__samePage === true"), "the first chat's tab kept up live while the agent worked in two others")
        until(agent, "the other chat in the side list", lambda: [a for a in agent.find_elements(By.CSS_SELECTOR, ".mine a") if a.get_attribute("href").endswith("/tickets/%d" % number2)])
        check(agent.execute_script("return window.__samePage === true"), "the side list follows live: it links the chat taken in another tab")
    finally:
        second.quit()

    # 7. Arabic.
    arabic = browser()
    try:
        open_widget(arabic, "ar")
        panel = arabic.find_element(By.ID, "haven-chat-panel")
        check(panel.get_attribute("dir") == "rtl" and arabic.find_element(By.CSS_SELECTOR, ".haven-chat-launcher").text == "تحدث معنا",
              "the Arabic widget is right to left, in Arabic")
        launcher_x = arabic.find_element(By.CSS_SELECTOR, ".haven-chat-launcher").location["x"]
        check(launcher_x < 300, "the Arabic launcher sits on the left (inline end in RTL)")
        accessible(arabic, "the help centre with the chat (Arabic)")
        shot(arabic, "chat-widget-ar")
    finally:
        arabic.quit()

    # 8. The customer ends the chat, and has the transcript emailed.
    customer.find_element(By.CSS_SELECTOR, ".haven-chat-end").click()
    until(customer, "the ended line", lambda: [e for e in customer.find_elements(By.CSS_SELECTOR, ".haven-chat-event") if "has ended" in e.text])
    check(not customer.find_elements(By.ID, "haven-chat-input"), "the customer's chat has ended: no more typing into it")
    until(agent, "the ended state", lambda: "ended" in agent.find_element(By.CSS_SELECTOR, "#chat-live .chat-state").text)
    check(not agent.find_elements(By.ID, "end-chat-form"), "the agent's page shows the chat has ended")
    customer.find_element(By.CSS_SELECTOR, ".haven-chat-transcript").click()
    sent = until(customer, "the transcript's confirmation", lambda: customer.find_element(By.CSS_SELECTOR, ".haven-chat-status").text)
    check("l•••@example.com" in sent, "the widget says where the transcript goes: " + sent)
    transcript = until(customer, "the transcript mail", lambda: [m for m in mails() if "transcript" in m.get_body(("plain",)).get_content()], seconds=20)[0]
    text = transcript.get_body(("plain",)).get_content()
    check(transcript["To"].addresses[0].addr_spec == "lena@example.com" and all(line in text for line in [
        "You: My LIVE stream keeps getting cut off", "Sofia: Hi Lena, I'm checking your stream settings now.", "stream-settings.png"]),
        "the transcript reaches the customer's mailbox with the whole conversation")
    print("%d passed, 0 failed" % check.passed)
except Exception as failure:
    print("FAILED:", failure)
    for name, driver in (("customer", customer), ("agent", agent)):
        if driver:
            os.makedirs(os.path.join(work, "fail"), exist_ok=True)
            driver.save_screenshot(os.path.join(work, "fail", name + ".png"))
            print("  screenshot:", os.path.join(work, "fail", name + ".png"))
    print("server log (last lines):\n" + "".join(open(os.path.join(work, "haven.log")).readlines()[-15:]))
    if agent:
        print("agent console:", agent.get_log("browser")[-10:])
        print("agent chat:", agent.execute_script("return document.getElementById('chat-live')?.outerHTML"))
    print("%d passed, 1 failed" % check.passed)
    sys.exit(1)
finally:
    for driver in (customer, agent):
        if driver:
            driver.quit()
    server.terminate()
    server.wait(timeout=20)
    sink.terminate()
