package io.sitepair.ops.drill.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.drill.report.DrillReport.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The HTML report in a real browser (Debian's chromium, headless), opened from its file as an
 * auditor would: the timeline draws every step, labelled and apart, failed ones in red. Screenshots
 * of the whole page are left in target/ for a person to look at.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DrillReportBrowserTest {
    private static final String RED = "rgb(198, 40, 40)";

    @TempDir
    Path dir;

    private WebDriver browser;

    @BeforeEach
    void openBrowser() {
        browser = Chromium.headless(dir.resolve("profile"));
    }

    @AfterEach
    void closeBrowser() {
        browser.quit();
    }

    @Test
    void theTimelineShowsEveryStepLabelledWithoutOverlaps() throws IOException {
        DrillReport report = DrillReportFixture.failover();
        open(report);

        assertTimelineShows(report);
        assertEquals("PASS", browser.findElement(By.id("outcome")).getText());
        assertEquals("MET", browser.findElement(By.cssSelector("[data-objective='RTO'] .verdict")).getText());
        assertEquals(3, browser.findElements(By.cssSelector("#samples figure.chart svg polyline")).stream()
                .filter(WebElement::isDisplayed).map(line -> line.findElement(By.xpath("./ancestor::figure")))
                .distinct().count(), "each of the three charts draws its line");
        screenshot("drill-report.png");
    }

    @Test
    void aFailedStepIsRedOnTheTimelineAndInTheStepList() throws IOException {
        DrillReport report = DrillReportFixture.failover(Instant.parse("2026-12-13T02:00:00Z"),
                DrillReport.Outcome.FAILED, false);
        open(report);

        assertTimelineShows(report);
        WebElement failback = browser.findElement(By.cssSelector("g.step[data-step='failback']"));
        assertEquals(RED, failback.findElement(By.cssSelector(".marker")).getCssValue("fill"));
        assertEquals("52.10 s · failed", failback.findElement(By.cssSelector(".at")).getText());
        assertEquals("FAILED", browser.findElement(By.cssSelector("#timeline tr.failed .verdict")).getText());
        assertTrue(browser.findElement(By.id("problems")).getText().contains("The failback did not complete"));
        screenshot("drill-report-failed.png");
    }

    private void open(DrillReport report) throws IOException {
        Path written = DrillReports.write(report, dir.resolve("reports"));
        browser.get(written.resolve(DrillReports.HTML).toUri().toString());
    }

    private void assertTimelineShows(DrillReport report) {
        List<Rectangle> labels = new ArrayList<>();
        for (Step step : report.timeline()) {
            WebElement group = browser.findElement(By.cssSelector("g.step[data-step='" + step.name() + "']"));
            assertTrue(group.isDisplayed(), step.name());
            WebElement name = group.findElement(By.cssSelector(".name"));
            assertEquals(step.name(), name.getText());
            assertEquals(step.ok() ? "rgb(29, 39, 51)" : RED, name.getCssValue("fill"), step.name());
            WebElement at = group.findElement(By.cssSelector(".at"));
            assertTrue(at.getText().startsWith(Readable.seconds(step.atMs())), at.getText());
            labels.add(name.getRect());
            labels.add(at.getRect());
        }
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                assertFalse(overlap(labels.get(i), labels.get(j)), "labels " + i / 2 + " and " + j / 2
                        + " of the timeline overlap");
            }
        }
    }

    private static boolean overlap(Rectangle a, Rectangle b) {
        return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    }

    /** The whole page: the window is made as tall as the report first. */
    private void screenshot(String name) throws IOException {
        long height = (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(1200, (int) height + 140));
        Path screenshot = Path.of("target", name);
        Files.write(screenshot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
