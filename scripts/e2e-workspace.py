#!/usr/bin/env python3
"""The agent workspace in real headless Chromium (selenium + Debian's chromium-driver), against the real `haven`
binary on SQLite with the demo data and a real SMTP server (scripts/smtp-sink.py, aiosmtpd):

  1. sign-in refuses a wrong password and says so; the right one opens the inbox;
  2. the inbox lists tickets most urgent first, with counts; search finds a ticket by its subject;
  3. the ticket page shows the conversation; a public reply with a file is sent and the customer receives both by email;
     an internal note is added and is not mailed; a canned response is inserted in the customer's language; "Assign to me" and a status change are saved;
  4. a risky ticket's picture is blurred and greyscale until revealed; the reveal is counted on /wellbeing;
     the safety queue is hidden from an agent without safety training, and its tickets answer "not found";
  5. the Arabic workspace is laid out right to left; the reply box follows the customer's language;
  6. axe-core finds no serious or critical accessibility violation on the sign-in, inbox and ticket pages
     (English and Arabic) and the admin pages; a sample ticket is tried against the demo's routing;
  7. "Sign out everywhere" ends every session of the agent;
  8. an agent idle on her open inbox (a second browser, from the start) is set away by Haven after a minute, and a
     key pressed on that page brings her back online, the page's presence menu following without a reload.

Usage: e2e-workspace.py PATH/TO/haven [--screenshots DIR]"""
import email, email.policy, os, sqlite3, subprocess, sys, tempfile, time, traceback

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from axe_selenium_python import Axe

from e2e_support import Checks, free_port, listening, session_cookie, wait

haven = os.path.abspath(sys.argv[1])
screenshots = sys.argv[sys.argv.index("--screenshots") + 1] if "--screenshots" in sys.argv else None
here = os.path.dirname(os.path.abspath(__file__))
work = tempfile.mkdtemp(prefix="haven-e2e-web-")
sink_dir = os.path.join(work, "sink")
os.makedirs(sink_dir)
check = Checks()


def delivered():
    return sorted(n for n in os.listdir(sink_dir) if n.endswith(".eml"))


sink = subprocess.Popen([sys.executable, os.path.join(here, "smtp-sink.py"), "--dir", sink_dir], stdout=subprocess.PIPE, text=True)
smtp_port = int(sink.stdout.readline().split()[1])
port = free_port()
base = "http://127.0.0.1:%d" % port
server = subprocess.Popen(
    [haven, "serve", "--demo", "--data-dir", os.path.join(work, "data"), "--port", str(port), "--log-level", "warning",
     "--smtp-url", "smtp://127.0.0.1:%d?starttls=off&timeout=30" % smtp_port, "--mail-from", "Haven Support <support@haven.test>",
     # Presence follows the agent: an idle agent is set away after a minute (step 8).
     "--away-after", "1"],
    stdout=subprocess.DEVNULL)

options = webdriver.ChromeOptions()
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-US"]:
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
driver = idle = main_driver = None


def accessible(name):
    axe = Axe(driver)
    axe.inject()
    results = axe.run(options={"resultTypes": ["violations"]})
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    for violation in serious:
        print("  axe:", violation["id"], violation["impact"], violation["help"], [n["target"] for n in violation["nodes"][:3]])
    check(not serious, "axe: no serious or critical violation on " + name)


def shot(name):
    if screenshots:
        driver.execute_script("window.scrollTo(0, 0)")
        os.makedirs(screenshots, exist_ok=True)
        driver.save_screenshot(os.path.join(screenshots, name + ".png"))


def navigate(action):
    """Clicks or submits, and waits for the next page (a form's answer is a redirect and a new page)."""
    page = driver.find_element(By.TAG_NAME, "html")
    action()

    def gone(_):
        # Chrome answers a look at a node of a document being replaced with "Node with given id does not belong to the
        # document", not as stale: that is gone too (it failed a clean-clone run once, after the "take" form).
        try:
            page.is_enabled()
            return False
        except WebDriverException:
            return True

    WebDriverWait(driver, 15).until(gone)
    # The old page is gone; wait for the new one to finish loading too (a redirect to an anchor once raced a lookup).
    WebDriverWait(driver, 15, ignored_exceptions=[WebDriverException]).until(
        lambda d: d.execute_script("return document.readyState") == "complete")


def settled(read, attempts=3):
    """Reads from the page, again if the node was swapped out under the read (twice on a clean clone, right after a
    form's redirect: "Node with given id does not belong to the document")."""
    for attempt in range(attempts):
        try:
            return read()
        except WebDriverException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def sign_in(email, password="haven-demo-2026"):
    driver.get(base + "/login?lang=en")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    navigate(driver.find_element(By.CSS_SELECTOR, ".signin-form button").click)


def presence_of(email):
    """The agent's presence as stored, read beside Haven (SQLite in WAL mode lets another reader in)."""
    with sqlite3.connect("file:%s?mode=ro" % os.path.join(work, "data", "haven.sqlite"), uri=True, timeout=5) as db:
        return db.execute("SELECT presence, presence_by_haven FROM agents WHERE email = ?", (email,)).fetchone()


def post_form_value(form_selector, name, value):
    Select(driver.find_element(By.CSS_SELECTOR, form_selector + " [name=%s]" % name)).select_by_value(value)


try:
    wait("Haven to listen", lambda: listening(base), seconds=60)
    service = webdriver.ChromeService(executable_path="/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(20)

    # 8 begins: Juliette signs in in a browser of her own and leaves her inbox open, idle, while the rest runs.
    idle = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
    main_driver, driver = driver, idle
    sign_in("juliette@haven.demo")
    check(presence_of("juliette@haven.demo")[0] == "online", "an agent who signs in is online")
    driver = main_driver

    # 1. Sign in.
    driver.get(base + "/inbox")
    check("/login" in driver.current_url, "a page asked for without a session goes to sign-in")
    accessible("the sign-in page")
    shot("sign-in")
    sign_in("sofia@haven.demo", "not-the-password")
    check("wrong" in driver.find_element(By.CSS_SELECTOR, "[role=alert]").text, "a wrong password is refused with a clear message")
    check(driver.find_element(By.ID, "email").get_attribute("value") == "sofia@haven.demo", "the email typed is kept after a refusal")
    sign_in("sofia@haven.demo")
    check(driver.current_url.endswith("/inbox"), "the right password opens the inbox")

    # 2. The inbox.
    rows = driver.find_elements(By.CSS_SELECTOR, "table.tickets tbody tr")
    check(len(rows) > 0, "the inbox lists tickets (%d)" % len(rows))
    priorities = [r.find_element(By.CSS_SELECTOR, ".prio").get_attribute("class").split("prio-")[-1] for r in rows]
    order = {"urgent": 3, "high": 2, "normal": 1, "low": 0}
    check(all(order[a] >= order[b] for a, b in zip(priorities, priorities[1:])), "the most urgent tickets come first")
    check(driver.find_element(By.CSS_SELECTOR, ".views a[aria-current] .count").text.strip() != "", "the current view shows its count")
    accessible("the inbox")
    shot("inbox")
    navigate(driver.find_element(By.CSS_SELECTOR, ".views a[href='/inbox?view=all']").click)
    search = driver.find_element(By.ID, "q")
    search.send_keys("Conta hackeada")
    navigate(search.submit)
    results = driver.find_elements(By.CSS_SELECTOR, "table.tickets tbody tr")
    check(results and all("Conta hackeada" in r.text for r in results), "search finds the tickets by their subject (%d)" % len(results))
    navigate(results[0].find_element(By.CSS_SELECTOR, ".subject a").click)

    # 3. The ticket page: reply, note, assign, status.
    check("Conta hackeada" in driver.find_element(By.TAG_NAME, "h1").text, "the ticket opens")
    number = driver.find_element(By.CSS_SELECTOR, ".ticket-page").get_attribute("data-ticket")
    first = driver.find_element(By.CSS_SELECTOR, ".timeline .message .body")
    check(first.get_attribute("lang") == "pt-BR" and "invadiu" in first.text, "the customer's message is shown with its language")
    check(driver.find_element(By.ID, "reply-body").get_attribute("lang") == "pt-BR", "the reply box is in the customer's language")
    accessible("the ticket page")
    driver.find_element(By.ID, "reply-body").send_keys("Olá! Já bloqueamos o acesso de terceiros e enviamos um link para recuperar a conta.")
    guide = os.path.join(work, "guia-recuperacao.pdf")
    with open(guide, "wb") as f:
        f.write(b"%PDF-1.4\n% guia de recuperacao de conta\n")
    driver.find_element(By.ID, "reply-files").send_keys(guide)
    navigate(driver.find_element(By.ID, "send").click)
    check("sent" in driver.find_element(By.CSS_SELECTOR, ".notice").text, "the reply is confirmed")
    check("recuperar a conta" in driver.find_elements(By.CSS_SELECTOR, ".timeline .message .body")[-1].text, "the reply is in the timeline")
    # Found by its words: the demo's acknowledgements may still be going out around it.
    def mails_saying(words):
        found = []
        for name in delivered():
            with open(os.path.join(sink_dir, name), "rb") as f:
                mail = email.message_from_binary_file(f, policy=email.policy.default)
            if words in mail.get_body(("plain",)).get_content():
                found.append(mail)
        return found
    wait("the reply by email", lambda: mails_saying("recuperar a conta"))
    replies = mails_saying("recuperar a conta")
    check(len(replies) == 1, "the customer receives the reply by email, once")
    files = [(part.get_filename(), part.get_content()) for part in replies[0].iter_attachments()]
    check(files == [("guia-recuperacao.pdf", b"%PDF-1.4\n% guia de recuperacao de conta\n")], "the reply's attachment goes with it (%s)" % [n for n, _ in files])
    check(driver.find_elements(By.CSS_SELECTOR, ".timeline .message:last-child .files a.download"), "the attachment is listed in the timeline")
    driver.find_element(By.ID, "as-internal").click()
    driver.find_element(By.ID, "reply-body").send_keys("Conta recuperada; verificar de novo amanhã.")
    navigate(driver.find_element(By.ID, "send").click)
    last = driver.find_elements(By.CSS_SELECTOR, ".timeline .message")[-1]
    check("internal" in last.get_attribute("class"), "the internal note is shown as internal")
    # A canned response goes in at the cursor, in the customer's language (Portuguese), filled in; nothing is sent.
    messages_before = len(driver.find_elements(By.CSS_SELECTOR, ".timeline .message"))
    Select(driver.find_element(By.ID, "canned")).select_by_visible_text("Password reset link sent")
    driver.find_element(By.ID, "insert-canned").click()
    draft = wait("the canned response in the reply box", lambda: driver.find_element(By.ID, "reply-body").get_attribute("value"), seconds=10)
    check(draft.startswith("Oi, ") and "redefinir a senha" in draft and "Sofia Mendes" in draft, "a canned response is inserted in Portuguese, filled in")
    check(len(driver.find_elements(By.CSS_SELECTOR, ".timeline .message")) == messages_before, "inserting it sends nothing")
    driver.find_element(By.ID, "reply-body").clear()
    driver.find_element(By.ID, "send").click()  # an empty message: the browser keeps it back and says why
    check(driver.execute_script("return document.getElementById('reply-body').validity.valueMissing"), "an empty message is not sent")
    takes = driver.find_elements(By.ID, "take")
    if takes:
        navigate(takes[0].click)
    check(Select(driver.find_element(By.ID, "p-assignee")).first_selected_option.text == "Sofia Mendes", "the ticket is assigned to me")
    post_form_value(".props", "status", "pending")
    navigate(driver.find_element(By.ID, "save").click)
    check(settled(lambda: driver.find_element(By.CSS_SELECTOR, ".badges .status").get_attribute("class")).endswith("status-pending"), "the status change is saved")
    shot("ticket")
    time.sleep(2)
    check(not mails_saying("Conta recuperada"), "the internal note was not mailed")

    # 4. The safety queue only for the safety-trained and leads.
    driver.get(base + "/inbox")
    safety_links = driver.find_elements(By.CSS_SELECTOR, ".views a[href='/inbox?queue=safety']")
    check(len(safety_links) == 1, "a safety-trained lead sees the safety queue")
    navigate(safety_links[0].click)
    safety_ticket = driver.find_element(By.CSS_SELECTOR, "table.tickets tbody tr .subject a").get_attribute("href")

    # 4b. Wellbeing: the harassment report's screenshot is blurred and greyscale until revealed, and the reveal is
    # counted in the agent's own exposure record.
    reports = [a for a in driver.find_elements(By.CSS_SELECTOR, "table.tickets tbody tr .subject a") if "Someone keeps harassing me" in a.text]
    check(reports, "the harassment report is in the safety queue")
    navigate(reports[0].click)
    exposure = lambda: int("".join(c for c in driver.find_element(By.ID, "exposure").text.split(":")[-1] if c.isdigit()))
    before = exposure()
    picture = driver.find_element(By.CSS_SELECTOR, ".files .shielded img")
    style = driver.execute_script("return getComputedStyle(arguments[0]).filter", picture)
    check("blur" in style and "grayscale" in style, "the risky ticket's picture is blurred and greyscale (%s)" % style)
    check(not driver.find_element(By.CSS_SELECTOR, ".files .shielded .download").is_displayed(), "no download link while it is shielded")
    accessible("a ticket with a shielded picture")
    shot("ticket-shielded")
    driver.find_element(By.CSS_SELECTOR, ".files .reveal button").click()
    wait("the picture to be revealed", lambda: not driver.find_elements(By.CSS_SELECTOR, ".files .shielded"))
    picture = driver.find_element(By.CSS_SELECTOR, ".files .media img")
    check(driver.execute_script("return getComputedStyle(arguments[0]).filter", picture) == "none"
          and driver.execute_script("return arguments[0].naturalWidth", picture) == 360, "revealed in place, the picture is shown as it is")
    wait("the header's exposure count", lambda: exposure() == before + 1)
    check(exposure() == before + 1, "the reveal is counted in the header (%d → %d)" % (before, exposure()))
    navigate(lambda: driver.get(base + "/wellbeing"))
    check(driver.find_element(By.ID, "reveals-day").text == "1", "the wellbeing page counts the reveal")
    accessible("the wellbeing page")
    driver.get(base + "/inbox?queue=safety")
    navigate(driver.find_element(By.ID, "sign-out").submit)
    check("/login" in driver.current_url, "signing out returns to sign-in")
    sign_in("amira@haven.demo")
    check(not driver.find_elements(By.CSS_SELECTOR, ".views a[href='/inbox?queue=safety']"), "an agent without safety training does not see the safety queue")
    driver.get(safety_ticket)
    check("/tickets/" in driver.current_url and driver.find_elements(By.CSS_SELECTOR, "[role=alert]"), "a safety ticket answers 'not found' to them")

    # 5. Arabic: right to left.
    driver.get(base + "/inbox")
    driver.find_element(By.CSS_SELECTOR, ".account summary").click()
    Select(driver.find_element(By.ID, "locale-select")).select_by_value("ar")
    navigate(driver.find_element(By.CSS_SELECTOR, "form[action='/settings/language'] button").click)
    html = driver.find_element(By.TAG_NAME, "html")
    check(html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar", "the Arabic workspace is right to left")
    views = driver.find_element(By.CSS_SELECTOR, ".views").rect
    check(views["x"] > driver.find_element(By.CSS_SELECTOR, ".list").rect["x"], "the views are on the right in Arabic")
    accessible("the Arabic inbox")
    shot("inbox-ar")
    navigate(driver.find_element(By.CSS_SELECTOR, "table.tickets tbody tr .subject a").click)
    accessible("the Arabic ticket page")
    shot("ticket-ar")

    # 6b. The admin pages: canned responses, for admins only.
    navigate(driver.find_element(By.ID, "sign-out").submit)
    sign_in("admin@haven.demo")
    navigate(driver.find_element(By.ID, "nav-admin").click)
    check(driver.current_url.endswith("/admin/agents") and "Sofia Mendes" in driver.find_element(By.ID, "content").text, "the admin area opens on the agents")
    accessible("the agents admin page")
    for section, name in (("queues", "queues"), ("routing", "routing and SLAs"), ("mail-templates", "system mails"), ("mail-quarantine", "mail quarantine")):
        navigate(driver.find_element(By.CSS_SELECTOR, ".admin-nav a[href='/admin/%s']" % section).click)
        accessible("the %s admin page" % name)
    navigate(driver.find_element(By.CSS_SELECTOR, ".admin-nav a[href='/admin/routing']").click)
    rule = '[{"name": "Portuguese", "queue": "br-account-access", "conditions": [{"field": "language", "op": "is", "values": ["pt"]}]}]'
    driver.execute_script("document.getElementById('rules-json').value = arguments[0]", rule)
    navigate(driver.find_element(By.ID, "rules-save").click)
    check("saved" in driver.find_element(By.CSS_SELECTOR, ".notice").text, "a routing rule is saved from the admin page")
    driver.find_element(By.ID, "test-language").send_keys("pt-BR")
    navigate(driver.find_element(By.ID, "routing-try").click)
    result = driver.find_element(By.ID, "routing-result").text
    check("br-account-access" in result and "rule 1" in result, "a sample Portuguese email goes to the rule's queue, and why: " + result.replace("\n", " | "))
    shot("admin-routing")
    navigate(driver.find_element(By.CSS_SELECTOR, ".admin-nav a[href='/admin/canned-responses']").click)
    names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, ".admin-list a")]
    check("Password reset link sent" in names, "an admin sees the canned responses (%d)" % len(names))
    accessible("the canned responses admin page")
    navigate(driver.find_element(By.CSS_SELECTOR, ".admin-list a").click)
    check(driver.find_element(By.ID, "text-ar").get_attribute("dir") == "rtl", "the Arabic text is edited right to left")
    navigate(driver.find_element(By.ID, "sign-out").submit)
    sign_in("amira@haven.demo")

    # 7. Sign out everywhere: another browser's session ends too.
    other = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
    try:
        main_driver, driver = driver, other
        sign_in("amira@haven.demo")
        check(driver.current_url.endswith("/inbox"), "a second browser signs in")
        driver = main_driver
        driver.find_element(By.CSS_SELECTOR, ".account summary").click()
        navigate(driver.find_element(By.CSS_SELECTOR, "form[action='/logout/everywhere'] button").click)
        other.get(base + "/inbox")
        check("/login" in other.current_url, "'sign out everywhere' ends the other browser's session")
    finally:
        other.quit()

    # 8. Presence follows the agent: Juliette, idle for a minute, is set away by Haven; a key pressed on her open
    # page says she is back (over the page's socket), and her presence menu follows without a reload.
    try:
        wait("Haven to set the idle agent away", lambda: presence_of("juliette@haven.demo") == ("away", 1), seconds=120)
        check(True, "an agent idle for a minute is set away by Haven")
        # Her page is not told she went away (she is not looking); it shows what it was opened with. Showing "away"
        # here makes the menu's change below the page's own doing, from the server's frame.
        idle.execute_script("document.getElementById('presence-select').value = 'away'")
        idle.find_element(By.TAG_NAME, "body").send_keys("x")
        wait("the agent to be back online", lambda: presence_of("juliette@haven.demo") == ("online", 0), seconds=15)
        check(True, "a key pressed on the open page brings her back online")
        wait("the page's presence menu to follow", lambda: idle.execute_script("return document.getElementById('presence-select').value") == "online",
             seconds=15)
        check(True, "her page's presence menu says online again, without a reload")
    finally:
        idle.quit()
        idle = None
    print("%d passed, 0 failed" % check.passed)
except Exception as error:
    print("FAILED:", error)
    # Where in this script, so a failure seen once on CI can be placed.
    print("at:", " ← ".join("line %d" % frame.lineno for frame in traceback.extract_tb(error.__traceback__)
                                if frame.filename == __file__))
    if driver:
        driver.save_screenshot(os.path.join(work, "failure.png"))
        print("screenshot:", os.path.join(work, "failure.png"), "page:", driver.current_url)
    sys.exit(1)
finally:
    browsers = []  # each once: `driver` may be the main browser, the idle one, or one already closed
    for browser in (driver, idle, main_driver):
        if browser and all(browser is not seen for seen in browsers):
            browsers.append(browser)
    for browser in browsers:
        try:
            browser.quit()
        except WebDriverException:
            pass
    server.terminate()
    sink.terminate()
