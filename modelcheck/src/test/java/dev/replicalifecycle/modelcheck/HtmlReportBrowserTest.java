package dev.replicalifecycle.modelcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicalifecycle.modelcheck.itf.ItfTrace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The HTML report in a real browser: runs TLC on one small violating model of the manifest
 * ({@value #MODEL}), writes the report, loads it in headless Chromium through ChromeDriver
 * (Selenium), follows the matrix cell to the counterexample page and checks its lanes, steps,
 * highlighted changes and violation mark against the ITF trace; no console message of level
 * SEVERE, no horizontal scrolling at 1280 px; saves a screenshot as
 * {@code target/report-screenshot.png}.
 *
 * <p>Skipped, with the reason, when Chromium or ChromeDriver is missing (Debian packages
 * {@code chromium} and {@code chromium-driver}, which {@code .ci/run} installs) or the manifest
 * does not exist. System properties {@code modelcheck.chromium} and {@code modelcheck.chromedriver}
 * override the paths {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}.
 */
class HtmlReportBrowserTest {

    static final String MODEL = "V1_DeleteIsFinal";
    /** Selenium warns that it has no DevTools for this Chromium; the test does not use DevTools. */
    private static final java.util.logging.Logger CDP_LOG =
            java.util.logging.Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP_LOG.setLevel(Level.SEVERE);
    }

    @Test
    void reportShowsTheCounterexampleAsItsTraceSaysInChromium() throws Exception {
        Path chromium = Path.of(System.getProperty("modelcheck.chromium", "/usr/bin/chromium"));
        Path chromedriver = Path.of(System.getProperty("modelcheck.chromedriver", "/usr/bin/chromedriver"));
        assumeTrue(Files.isExecutable(chromium), "skipped: no Chromium at " + chromium
                + " (apt-get install chromium chromium-driver)");
        assumeTrue(Files.isExecutable(chromedriver), "skipped: no ChromeDriver at " + chromedriver
                + " (apt-get install chromium-driver)");
        Path spec = Path.of(System.getProperty("modelcheck.specDir", "../spec")).toAbsolutePath().normalize();
        Path manifestFile = spec.resolve(Manifest.FILE_NAME);
        assumeTrue(Files.isRegularFile(manifestFile), "skipped: " + manifestFile + " does not exist");
        ModelEntry model = Manifest.load(manifestFile).models().stream().filter(m -> m.model().equals(MODEL))
                .findFirst().orElseThrow(() -> new AssertionError(MODEL + " is not in " + manifestFile));

        // the counterexample, from TLC, and its report
        Path out = TestPaths.outDir().resolve("report-browser-test").toAbsolutePath().normalize();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ModelChecker checker = new ModelChecker(spec, out, new TlcLauncher("1", Duration.ofMinutes(5)), 1,
                new PrintStream(log, true, StandardCharsets.UTF_8), Duration.ofSeconds(10));
        List<ModelResult> results = checker.run(List.of(model));
        ModelResult result = results.get(0);
        assertTrue(result.matches(), log.toString(StandardCharsets.UTF_8));
        assertNotNull(result.trace(), "no trace: " + log.toString(StandardCharsets.UTF_8));
        checker.writeVerdicts(results);
        Path index = checker.writeReport(List.of(model), results);
        ItfTrace trace = ItfTrace.read(out.resolve(result.trace()));

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1400");
        LoggingPreferences prefs = new LoggingPreferences();
        prefs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", prefs);
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(index.toUri().toString());
            assertEquals("Model checking report", driver.getTitle());
            WebElement cell = driver.findElement(By.cssSelector("td[data-row='" + model.row() + "'][data-property='"
                    + model.expected().property() + "']"));
            assertEquals("VIOLATED (" + (trace.size() - 1) + " steps)", cell.getText());
            cell.findElement(By.tagName("a")).click();
            assertTrue(driver.getCurrentUrl().endsWith("/" + HtmlReport.pageName(MODEL)), driver.getCurrentUrl());

            // lanes: the clients (domain of cl), then verify, engine, env
            List<String> lanes = new ArrayList<>();
            driver.findElements(By.cssSelector("table.lanes thead th[data-lane]")).forEach(th -> lanes.add(th.getText()));
            List<String> expectedLanes = new ArrayList<>();
            trace.json(0, "cl").get("#map").forEach(p -> expectedLanes.add(p.get(0).asText()));
            expectedLanes.sort(TraceView.NATURAL);
            expectedLanes.addAll(TraceView.SYSTEM_LANES);
            assertEquals(expectedLanes, lanes);

            // one row per state: the step in its process's lane, the changed variables highlighted
            List<WebElement> rows = driver.findElements(By.cssSelector("table.lanes tbody tr[id^='s']"));
            assertEquals(trace.size(), rows.size());
            for (int i = 0; i < trace.size(); i++) {
                WebElement row = rows.get(i);
                JsonNode step = trace.json(i, TraceExporter.STEP_VAR);
                String proc = step.get("proc").asText();
                String where = "state " + i + " (" + step + ")";
                WebElement act = row.findElement(By.cssSelector("td.act"));
                assertTrue(act.getText().startsWith(step.get("action").asText()), where + ": " + act.getText());
                assertTrue(act.getText().contains(step.get("outcome").asText()), where + ": " + act.getText());
                if (i == 0) {
                    assertEquals("", row.getAttribute("data-proc"), where);
                    continue;
                }
                assertEquals(proc, row.getAttribute("data-proc"), where);
                assertEquals(proc, act.getAttribute("data-lane"), where);
                List<WebElement> tds = row.findElements(By.tagName("td"));
                assertEquals(act, tds.get(1 + lanes.indexOf(proc)), where + ": the action sits in its lane's column");
                assertEquals(List.of(act), row.findElements(By.cssSelector("td.act")), where);

                Set<String> changed = new LinkedHashSet<>();
                for (String v : trace.vars()) {
                    if (!v.equals(TraceExporter.STEP_VAR) && !trace.json(i - 1, v).equals(trace.json(i, v))) {
                        changed.add(v);
                    }
                }
                Set<String> shown = new LinkedHashSet<>();
                for (WebElement li : row.findElements(By.cssSelector("li.chg"))) {
                    shown.add(li.getAttribute("data-var"));
                    WebElement after = li.findElement(By.cssSelector(".after"));
                    assertFalse(after.getText().isEmpty(), where);
                    assertHighlighted(after, where);
                    assertHighlighted(li.findElement(By.cssSelector(".before")), where);
                }
                assertEquals(changed, shown, where + ": the changed variables");
            }
            WebElement last = rows.get(rows.size() - 1);
            assertTrue(last.getAttribute("class").contains("breaks"), "the last state is marked");
            assertTrue(last.getText().contains(model.expected().property() + " is violated in state " + (trace.size() - 1)),
                    last.getText());
            assertEquals(1, driver.findElements(By.cssSelector("tr.breaks")).size());

            Number scroll = (Number) ((JavascriptExecutor) driver).executeScript(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assertTrue(scroll.intValue() <= 0, "scrolls horizontally by " + scroll + " px");

            Files.write(TestPaths.outDir().resolve("report-screenshot.png"),
                    ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));

            List<String> severe = new ArrayList<>();
            for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
                if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                    severe.add(e.getLevel() + " " + e.getMessage());
                }
            }
            assertEquals(List.of(), severe, "console messages while loading the report");
            // the log channel works: a planted console error shows up
            ((JavascriptExecutor) driver).executeScript("console.error('report-log-probe');");
            assertTrue(driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .anyMatch(e -> e.getMessage().contains("report-log-probe")), "the browser log is not collected");
        } finally {
            driver.quit();
            service.stop();
        }
    }

    private static void assertHighlighted(WebElement e, String where) {
        String bg = e.getCssValue("background-color");
        assertFalse(bg.isEmpty() || bg.equals("transparent") || bg.equals("rgba(0, 0, 0, 0)"),
                where + ": " + e.getText() + " has no highlight (" + bg + ")");
    }
}
