#!/usr/bin/env python3
"""The live chat in real headless Chromium (selenium + Debian's chromium-driver), against the real `haven` binary on
SQLite with the demo data: a customer's browser with the widget, and an agent's browser with the workspace.

  1. nobody is online: the widget says so honestly and offers to leave a message (French), which becomes a ticket;
  2. an agent signs in; a customer starts a chat (English) and waits in the queue;
  3. the agent opens the ticket and takes it: the customer sees them join;
  4. the agent answers from the ticket page without a reload; the customer sees it, and the agent sees the customer's
     answer appear live; typing shows on the customer's side;
  5. the customer reloads the page (a dropped connection): the conversation comes back, each line once;
  6. the widget in Arabic is right to left; axe-core finds no serious or critical violation (English and Arabic);
  7. the customer ends the chat: the agent's page says so.

Usage: e2e-chat.py PATH/TO/haven [--screenshots DIR]"""
import json, os, subprocess, sys, tempfile, time

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


port = free_port()
base = "http://127.0.0.1:%d" % port
server = subprocess.Popen([haven, "serve", "--demo", "--data-dir", os.path.join(work, "data"), "--port", str(port), "--log-level", "warning"],
                          stdout=open(os.path.join(work, "haven.log"), "w"), stderr=subprocess.STDOUT)


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
    until(customer, "the ack", lambda: not customer.find_elements(By.CSS_SELECTOR, ".haven-chat-line.pending .haven-chat-state"))
    shot(customer, "chat-widget")
    shot(agent, "chat-console")

    # 5. A reload (a dropped connection): the conversation comes back, each line once.
    customer.refresh()
    customer.find_element(By.CSS_SELECTOR, ".haven-chat-launcher").click()
    until(customer, "the conversation after a reload", lambda: "Thanks! It is on the 720p preset." in log_texts(customer))
    time.sleep(0.5)
    texts = log_texts(customer)
    check(texts.count("Hi Lena, I'm checking your stream settings now.") == 1 and len(texts) == len(set(texts)) == 3,
          "after a reload every line is shown once, in order: %s" % texts)
    accessible(customer, "the chat conversation (English)")

    # 6. Arabic.
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

    # 7. The customer ends the chat.
    customer.find_element(By.CSS_SELECTOR, ".haven-chat-end").click()
    until(customer, "the ended line", lambda: [e for e in customer.find_elements(By.CSS_SELECTOR, ".haven-chat-event") if "has ended" in e.text])
    check(not customer.find_elements(By.ID, "haven-chat-input"), "the customer's chat has ended: no more typing into it")
    until(agent, "the ended state", lambda: "ended" in agent.find_element(By.CSS_SELECTOR, "#chat-live .chat-state").text)
    check(not agent.find_elements(By.ID, "end-chat-form"), "the agent's page shows the chat has ended")
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
