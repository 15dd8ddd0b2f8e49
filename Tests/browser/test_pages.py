"""The pages in a real browser: Debian's headless Chromium driven by Selenium, against
`callbacks serve` on loopback with a real store over the example spool.

usage: python test_pages.py CALLBACKS_BINARY     (make test runs it from the project's venv)

The service's clock is stopped at Monday 08:05 New York time, so every run sees the same
queue on any date. Nothing is downloaded: Selenium drives /usr/bin/chromium through
/usr/bin/chromedriver.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
NOW = "2026-11-23T08:05:00-05:00"


class Installation:
    """A throwaway installation with the example spool ingested and people added."""

    def __init__(self, binary):
        self.binary = os.path.abspath(binary)
        self.work = tempfile.mkdtemp(prefix="afterhours-pages.")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        with open(os.path.join(ROOT, "fixtures", "demo.yaml")) as demo:
            config = demo.read()
        for key, value in [("path", "spool"), ("archive", "archive"), ("quarantine", "quarantine"), ("database", "afterhours.sqlite")]:
            config = re.sub(rf"^(  {key}:) {re.escape(value)}$", rf"\1 {self.work}/{value}", config, flags=re.M)
        config = re.sub(r"^(  folder:) greeting\b", rf"\1 {self.work}/greeting", config, flags=re.M)
        config += f'http: {{listen: "127.0.0.1:{self.port}", public_url: "{self.url}"}}\n'
        self.config = os.path.join(self.work, "callbacks.yaml")
        with open(self.config, "w") as out:
            out.write(config)
        shutil.copytree(os.path.join(ROOT, "fixtures", "spool"), os.path.join(self.work, "spool"))
        self.run("ingest")
        for name, role in [("olivia", "owner"), ("alice", "staff"), ("bob", "staff")]:
            self.run("people", "add", name, "--role", role)
        # An escalation for the owner: staff hand callback 1 over.
        self.run("escalate", "1", "--reason", "Wants a refund", "--as", "alice")
        log = open(os.path.join(self.work, "serve.log"), "w")
        self.serve = subprocess.Popen(
            [self.binary, "serve"], env=self.env(CALLBACKS_CLOCK="stopped"), stdout=log, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        else:
            raise RuntimeError("the service did not start: " + open(os.path.join(self.work, "serve.log")).read())

    def env(self, now=NOW, **extra):
        environment = dict(os.environ, CALLBACKS_CONFIG=self.config, CALLBACKS_NOW=now)
        environment.update(extra)
        return environment

    def run(self, *arguments, now=NOW):
        done = subprocess.run([self.binary, *arguments], env=self.env(now), capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"callbacks {' '.join(arguments)}: {done.stderr}")
        return done.stdout

    def link(self, name, next_page=None, now=NOW):
        link = self.run("people", "link", name, now=now).strip()
        return link + (f"&next={next_page}" if next_page else "")

    def close(self):
        self.serve.terminate()
        self.serve.wait(timeout=10)
        shutil.rmtree(self.work, ignore_errors=True)


def browser(width=1024, dark=False):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
                     f"--window-size={width},800", "--disable-gpu"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    if width < 500:
        # Chromium's windows are at least 500 px wide: emulate the phone's viewport instead.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 740, "deviceScaleFactor": 2, "mobile": True})
    if dark:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    driver.set_page_load_timeout(30)
    return driver


def wait_for(condition, seconds=10, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def page_text(driver):
    """The page's text, once it has one (a page may be replacing itself, as the sign-in
    page does once to fetch its cookie)."""
    def read():
        try:
            return driver.find_element(By.TAG_NAME, "body").text
        except Exception:
            return None
    return wait_for(read, what="the page's text")


def sign_in(driver, link):
    """Opens a sign-in link and presses its "Sign in" button, as a person does: the link's
    page alone (a chat app's preview) signs nobody in."""
    driver.get(link)
    button = wait_for(lambda: driver.find_elements(By.XPATH, "//button[normalize-space()='Sign in']"), what="the Sign in button")
    before = driver.current_url
    button[0].click()
    wait_for(lambda: driver.current_url != before, what="the page after signing in")


def fits(driver, width):
    """No horizontal scrolling at this width."""
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"{driver.current_url} is {scroll}px wide at {width}px"


def test_owner_resolves_from_the_notification_link(home):
    owner = browser(width=360)
    try:
        escalations = json.loads(home.run("escalations", "--json", "--as", "olivia"))
        escalation = escalations[0]
        sign_in(owner, home.link("olivia", f"/escalations/{escalation['id']}"))
        assert f"/escalations/{escalation['id']}" in owner.current_url, owner.current_url
        body = page_text(owner)
        assert "Wants a refund" in body, body
        fits(owner, 360)
        # Every message plays: the <audio> element loads and reports the message's length.
        audios = owner.find_elements(By.TAG_NAME, "audio")
        assert audios, "no audio on the page"
        for audio in audios:
            duration = wait_for(lambda: owner.execute_script(
                "const a = arguments[0]; a.load(); return a.readyState >= 1 && isFinite(a.duration) ? a.duration : null;", audio)
                or owner.execute_script("return arguments[0].readyState >= 1 && isFinite(arguments[0].duration) ? arguments[0].duration : null;", audio),
                what="audio metadata")
            expected = float(audio.get_attribute("data-seconds"))
            assert abs(duration - expected) < 0.1, f"audio reports {duration} s, the message is {expected} s"
        owner.find_element(By.CSS_SELECTOR, "button[type=submit]").text  # reachable buttons
        owner.find_element(By.ID, "note").send_keys("Refunded the call-out fee; she is happy")
        owner.find_element(By.XPATH, "//button[normalize-space()='Resolve']").click()
        resolved = page_text(owner)
        assert "Refunded the call-out fee" in resolved and "Resolved" in resolved, resolved
        shown = home.run("escalations", "show", str(escalation["id"]), "--as", "olivia")
        assert "Refunded the call-out fee; she is happy" in shown, shown
        # The escalation list and the queue fit a phone too, in dark mode as well.
        owner.get(home.url + "/escalations")
        fits(owner, 360)
    finally:
        owner.quit()
    dark = browser(width=360, dark=True)
    try:
        sign_in(dark, home.link("olivia"))
        background = dark.execute_script("return getComputedStyle(document.body).backgroundColor")
        channels = [int(x) for x in re.findall(r"\d+", background)[:3]]
        assert sum(channels) < 200, f"dark mode background is {background}"
        fits(dark, 360)
    finally:
        dark.quit()


def test_two_staff_take_next_at_once(home):
    first, second = browser(width=360), browser()
    try:
        sign_in(first, home.link("alice"))
        sign_in(second, home.link("bob"))
        assert first.current_url.endswith("/queue") and second.current_url.endswith("/queue")
        fits(first, 360)
        buttons = [driver.find_element(By.XPATH, "//button[normalize-space()='Take next']") for driver in (first, second)]
        # Both pressed together: submitted by script in both pages before either loads.
        for driver, button in zip((first, second), buttons):
            driver.execute_script("arguments[0].form.requestSubmit(arguments[0])", button)
        claimed = []
        for driver in (first, second):
            heading = wait_for(lambda: [h.text for h in driver.find_elements(By.CSS_SELECTOR, ".claimed h2")], what="a claimed callback")
            claimed.append(heading[0])
        assert claimed[0] != claimed[1], f"both got {claimed[0]}"
        # The first page shows the second's claim without being reloaded.
        marker = first.execute_script("window.notReloaded = true; return true")
        wait_for(lambda: "claimed by bob" in first.find_element(By.ID, "queue").text, seconds=10, what="bob's claim on alice's page")
        assert first.execute_script("return window.notReloaded === true"), "the page was reloaded"
        # Done with a note, through the form, as alice.
        first.find_element(By.CSS_SELECTOR, ".claimed input[name=note]").send_keys("booked for Tuesday")
        first.find_element(By.XPATH, "//button[normalize-space()='Done']").click()
        # The click returns before the answer's page has replaced this one: wait for it.
        wait_for(lambda: not first.find_elements(By.CSS_SELECTOR, ".claimed"), what="the claim gone after Done (still claimed)")
        assert marker
    finally:
        first.quit()
        second.quit()


def test_forged_forms_and_bad_links_are_refused(home):
    staff = browser()
    try:
        sign_in(staff, home.link("alice"))
        # A form whose CSRF token was tampered with.
        staff.execute_script("document.querySelector('form[action=\"/queue/next\"] input[name=csrf]').value = 'forged'")
        staff.find_element(By.XPATH, "//button[normalize-space()='Take next']").click()
        assert "This form was refused" in page_text(staff)
        # An owner page opened by staff does not exist for them.
        staff.get(home.url + "/escalations/1")
        assert "There is no such page" in page_text(staff)
        # A link used twice, and one past its 15 minutes.
        link = home.link("bob")
        fresh = browser()
        try:
            # Looking at the link (twice, as a chat app's preview would) spends nothing.
            fresh.get(link)
            fresh.get(link)
            assert "Sign in" in page_text(fresh)
            sign_in(fresh, link)
            assert fresh.current_url.endswith("/queue")
            fresh.delete_all_cookies()
            sign_in(fresh, link)
            text = page_text(fresh)
            assert "already used" in text and "callbacks people link" in text, text
            sign_in(fresh, home.link("bob", now="2026-11-23T07:45:00-05:00"))
            text = page_text(fresh)
            assert "expired" in text and "callbacks people link" in text, text
            # Not signed in: the page says how to sign in.
            fresh.delete_all_cookies()
            fresh.get(home.url + "/queue")
            assert "Sign in first" in page_text(fresh)
        finally:
            fresh.quit()
    finally:
        staff.quit()


def test_owner_blocks_a_caller_from_the_escalation_page(home):
    escalation = json.loads(home.run("escalations", "--json", "--as", "olivia"))[0]
    callback = escalation["callback"]
    number = callback["caller"]["number"]
    assert number, f"the escalated callback has no number: {callback}"
    owner = browser(width=360)
    try:
        sign_in(owner, home.link("olivia", f"/escalations/{escalation['id']}"))
        page_text(owner)
        owner.find_element(By.ID, "block-reason").send_keys("Shouted at staff twice")
        owner.find_element(By.XPATH, "//button[normalize-space()='Block this caller']").click()
        blocked = wait_for(lambda: "/blocked" in owner.current_url and page_text(owner), what="the blocked page")
        assert "is blocked" in blocked and f"Closed callback #{callback['id']}" in blocked, blocked
        assert "Shouted at staff twice" in blocked, blocked
        fits(owner, 360)
        # Staff no longer see it; the owner does, closed, with who blocked it and why.
        staff = json.loads(home.run("list", "--all", "--json", "--as", "alice"))
        assert callback["id"] not in [c["id"] for c in staff], staff
        shown = json.loads(home.run("show", str(callback["id"]), "--json", "--as", "olivia"))
        lines = [event for event in shown["history"] if event["kind"] == "blocked"]
        assert lines and lines[0]["actor"] == "olivia" and lines[0]["note"] == "Shouted at staff twice", shown["history"]
        # Unblock from the list.
        owner.find_element(By.XPATH, "//button[starts-with(normalize-space(), 'Unblock')]").click()
        unblocked = wait_for(lambda: "no longer blocked" in (page_text(owner) or "") and page_text(owner), what="the unblock")
        assert "No number is blocked." in unblocked, unblocked
        assert "No number is blocked." in home.run("blocked", "--as", "olivia")
    finally:
        owner.quit()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    failures = 0
    tests = [test_owner_resolves_from_the_notification_link, test_two_staff_take_next_at_once, test_forged_forms_and_bad_links_are_refused,
             test_owner_blocks_a_caller_from_the_escalation_page]
    for test in tests:
        home = Installation(sys.argv[1])
        try:
            test(home)
            print(f"✔ {test.__name__}")
        except Exception:
            failures += 1
            print(f"✘ {test.__name__}")
            traceback.print_exc()
            print(open(os.path.join(home.work, "serve.log")).read()[-3000:], file=sys.stderr)
        finally:
            home.close()
    print(f"{len(tests) - failures} of {len(tests)} browser tests passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
