"""How long a user of ``sim app`` waits, from the click on Run to the charts, next to
``sim run`` of the same option from the shell.

    python benchmarks/app_latency.py [--repeat 3] [--replications 4]

Starts ``sim app`` in a temporary folder holding a copy of ``scenarios/``, opens it in
headless Chromium (Debian's chromium and chromedriver), sets the advisory option's cap to
2,000 and runs it ``--repeat`` times against the status quo, each time to the charts and
tables on the page. Then times ``sim run`` of the two options at the same replications with
the default charts (PNG and SVG) and the report, in a fresh process: it draws more charts
than the page (each option's three, and the outcome and difference charts). Prints the
medians. Asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--replications", type=int, default=4)
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    folder = Path(tempfile.mkdtemp(prefix="sim-app-bench-"))
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")
    server = subprocess.Popen(
        [sys.executable, "-c", "from sim.cli import main; main()", "app"],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = next(w for line in server.stdout for w in line.split() if w.startswith("http://"))
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    read = "const e = document.querySelector(`[data-testid='${arguments[0]}']`);"
    attr = read + "return e ? e.getAttribute(arguments[1]) : null;"
    try:
        driver.get(url)
        while not driver.find_elements(By.CSS_SELECTOR, "[data-testid=cap-input]"):
            time.sleep(0.05)
        for testid, value in (("cap-input", "2000"), ("replications-input", args.replications)):
            field = driver.find_element(By.CSS_SELECTOR, f"[data-testid={testid}]")
            field.send_keys(Keys.CONTROL, "a", Keys.DELETE)
            field.send_keys(str(value), Keys.TAB)
        time.sleep(1)
        waits = []
        for _ in range(args.repeat):
            before = driver.execute_script(attr, "chart-total", "data-run")
            began = time.perf_counter()
            driver.find_element(By.CSS_SELECTOR, "[data-testid=run-button]").click()
            while True:
                now = driver.execute_script(attr, "chart-total", "data-run")
                state = driver.execute_script(attr, "progress", "data-state")
                if now and now != before and state == "done":
                    break
                time.sleep(0.02)
            waits.append(time.perf_counter() - began)
    finally:
        driver.quit()
        server.terminate()
    # The same work from the shell: the file the app would export, the reference, the report.
    from sim.app.controls import export_yaml, read_option

    option = read_option(folder / "scenarios" / "advisory.yaml")
    edited = folder / "scenarios" / "advisory-edited.yaml"
    edited.write_text(
        export_yaml(option, {("cap",): 2000}, edited, seed=1, replications=args.replications)
    )
    command = [sys.executable, "-c", "from sim.cli import main; main()", "run"]
    command += [str(edited), "scenarios/status-quo.yaml", "-n", str(args.replications)]
    shell = []
    for n in range(args.repeat):
        began = time.perf_counter()
        subprocess.run(
            [*command, "--seed", "1", "--report", "--out", str(folder / f"run-{n}")],
            cwd=folder,
            check=True,
            capture_output=True,
        )
        shell.append(time.perf_counter() - began)
    shutil.rmtree(folder, ignore_errors=True)
    print(f"advisory (cap 2,000) against the status quo, {args.replications} replications each")
    for words, times in (
        ("sim app: click on Run to the charts and tables on the page", waits),
        ("sim run of both, default charts and report, new process", shell),
    ):
        each = ", ".join(f"{t:.2f}" for t in times)
        print(f"  {words}: {statistics.median(times):.2f} s (median of {len(times)}: {each})")


if __name__ == "__main__":
    main()
