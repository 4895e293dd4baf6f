"""The explorer as a user meets it: `zoo explore` serves the app on 127.0.0.1, a real headless browser (Debian's
chromium and its driver) clicks the latent map and sees a decoded image appear and change with the click point,
with nothing fetched from the internet; `zoo space` writes a Space whose app runs."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.one_backend]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(cmd, port, env_extra=None, cwd=REPO):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env_extra or {})}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url, t0 = f"http://127.0.0.1:{port}/", time.time()
    while time.time() - t0 < 240:
        if proc.poll() is not None:
            raise AssertionError(f"the app stopped: {proc.stdout.read()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "config", timeout=5) as r:
                return proc, url, r.read().decode()
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise AssertionError("the app never answered")


@pytest.fixture
def browser():
    pytest.importorskip("selenium")
    if not (CHROMIUM and DRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000",
                "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def test_clicking_the_map_decodes_the_point_in_a_real_browser(browser, tmp_path):
    pytest.importorskip("gradio")
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    port = free_port()
    proc, url, _ = serve([sys.executable, "-m", "zoo.cli", "explore", "--port", str(port)], port)
    try:
        browser.get(url)
        image = WebDriverWait(browser, 120).until(lambda d: d.find_element(By.CSS_SELECTOR, "#map-1 img"))

        def decoded(d):
            found = d.find_elements(By.CSS_SELECTOR, "#decoded-1 img")
            return found[0].get_attribute("src") if found else None

        assert decoded(browser) is None  # nothing decoded before a click
        ActionChains(browser).move_to_element_with_offset(image, 60, -60).click().perform()
        first = WebDriverWait(browser, 60).until(decoded)
        point = browser.find_element(By.CSS_SELECTOR, "#point").text
        assert "Decoded point (u, v)" in point and "vae_2d-mnist's map" in point
        ActionChains(browser).move_to_element_with_offset(image, -80, 70).click().perform()
        second = WebDriverWait(browser, 60).until(lambda d: decoded(d) not in (None, first) and decoded(d))
        assert second != first and browser.find_element(By.CSS_SELECTOR, "#point").text != point
        assert browser.find_elements(By.CSS_SELECTOR, "#decoded-0 img")  # the other model decodes it too
        browser.save_screenshot(str(tmp_path / "explorer.png"))
        fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        outside = [u for u in fetched if not u.startswith(("http://127.0.0.1", "data:", "blob:"))]
        assert fetched and not outside, outside  # offline: no fonts, scripts or analytics from the internet
    finally:
        proc.kill()
        proc.wait(30)


def test_every_tab_answers_in_a_real_browser(browser, tmp_path):
    """Interpolate, Sample, Traverse and Reconstruct, each driven as a user would: a button, a slider's default
    decode, an uploaded PNG of another size; each shows its images (and the reconstruction its error)."""
    pytest.importorskip("gradio")
    import numpy as np
    from PIL import Image
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    port = free_port()
    proc, url, _ = serve([sys.executable, "-m", "zoo.cli", "explore", "--port", str(port)], port)

    def tab(name):
        WebDriverWait(browser, 60).until(lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "button[role=tab]")
                                                    if b.text.strip() == name])[0].click()

    def shown(selector):
        return WebDriverWait(browser, 120).until(
            lambda d: [e.get_attribute("src") for e in d.find_elements(By.CSS_SELECTOR, selector)] or None)

    try:
        browser.get(url)
        WebDriverWait(browser, 120).until(lambda d: d.find_element(By.CSS_SELECTOR, "#map-1 img"))
        tab("Interpolate")
        browser.find_element(By.CSS_SELECTOR, "#interpolate").click()
        assert shown("#strip-0 img") and shown("#strip-1 img")  # both models' strips
        tab("Sample")
        browser.find_element(By.CSS_SELECTOR, "#sample").click()
        assert shown("#samples img")
        tab("Traverse")
        assert shown("#traversed img")  # the mean code, decoded when the tab's model is set
        tab("Reconstruct")
        picture = tmp_path / "blob.png"
        yy, xx = np.mgrid[:40, :36]
        Image.fromarray((255 * np.exp(-((yy - 20) ** 2 + (xx - 14) ** 2) / 30.0)).astype("uint8")).save(picture)
        browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(picture))
        assert shown("#recon-0 img") and shown("#recon-1 img")
        errors = WebDriverWait(browser, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, "#errors").text or None)
        assert "ae_2d-mnist: MSE" in errors and "vae_2d-mnist: MSE" in errors
        browser.save_screenshot(str(tmp_path / "reconstruct.png"))
        assert not browser.find_element(By.CSS_SELECTOR, "#message").text  # no error message on the way
    finally:
        proc.kill()
        proc.wait(30)


def test_a_written_space_runs_the_explorer(tmp_path):
    pytest.importorskip("gradio")
    folder = tmp_path / "space"
    r = subprocess.run([sys.executable, "-m", "zoo.cli", "space", str(folder), "vae_2d-mnist", "ae_2d-mnist"],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "app.py", "requirements.txt"]
    readme = (folder / "README.md").read_text()
    assert readme.startswith("---\n") and "sdk: gradio" in readme and "app_file: app.py" in readme
    assert "autoencoder-zoo[explore]" in (folder / "requirements.txt").read_text()
    port = free_port()
    proc, _, config = serve([sys.executable, "app.py"], port, {"GRADIO_SERVER_NAME": "127.0.0.1",
                                                               "GRADIO_SERVER_PORT": str(port)}, cwd=folder)
    try:
        assert "vae_2d-mnist: click to decode" in config and "ae_2d-mnist: click to decode" in config
    finally:
        proc.kill()
        proc.wait(30)
    again = subprocess.run([sys.executable, "-m", "zoo.cli", "space", str(folder)], cwd=REPO, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 2 and "not an empty folder" in again.stderr
    local = subprocess.run([sys.executable, "-m", "zoo.cli", "space", str(tmp_path / "s2"), str(tmp_path)], cwd=REPO,
                           capture_output=True, text=True, timeout=120)
    assert local.returncode == 2 and "not a registry model or an hf:// address" in local.stderr
