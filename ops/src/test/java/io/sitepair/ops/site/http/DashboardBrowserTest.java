package io.sitepair.ops.site.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sitepair.ops.drill.report.Chromium;
import io.sitepair.ops.drill.report.DrillReportFixture;
import io.sitepair.ops.drill.report.DrillReports;
import io.sitepair.ops.lab.LocalPair;
import io.sitepair.ops.site.AdminClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's chromium, headless) on a real pair: it shows site a
 * protected, and when the backup is killed it shows, without a reload, site a unprotected and the
 * alarm. The pair runs without TLS: a browser would need a client certificate of the pair.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {
    @TempDir
    Path dir;

    @Test
    void showsTheBackupsLossWithinThreeSecondsWithoutAReload() throws Exception {
        try (LocalPair lab = new LocalPair(dir.resolve("lab"), false, yaml -> yaml)) {
            // A drill's report on this machine: the dashboard links it.
            DrillReports.write(DrillReportFixture.failover(), lab.pair().drills().reports());
            Map<String, Process> started = lab.startProtected();
            WebDriver browser = Chromium.headless(dir.resolve("profile"));
            try {
                browser.get(AdminClient.uri(lab.pair(), "a", "").toString());
                By protectionOfA = By.cssSelector("[data-site='a'] [data-field='protection']");
                assertEquals("protected", browser.findElement(protectionOfA).getText(), "the server's first paint");
                assertEquals("primary", browser.findElement(By.cssSelector("[data-site='a'] [data-field='role']"))
                        .getText());
                // The page updates itself: its clock says when it last heard from the site.
                new WebDriverWait(browser, Duration.ofSeconds(5)).until(b ->
                        b.findElement(By.id("freshness")).getText().startsWith("updated "));
                assertTrue(browser.findElement(By.id("drill-text")).getText().startsWith("failover drill, PASS"),
                        browser.findElement(By.id("drill-text")).getText());
                String dashboard = browser.getWindowHandle();
                browser.findElement(By.id("drill-report")).click();
                assertFalse(browser.findElements(By.cssSelector("g.step[data-step='first write']")).isEmpty(),
                        "the last drill's report, with its timeline, is one click away");
                browser.navigate().back();
                browser.switchTo().window(dashboard);

                started.get("b").destroyForcibly();
                long killed = System.nanoTime();
                new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(50)).until(b ->
                        b.findElement(protectionOfA).getText().startsWith("unprotected")
                                && !b.findElements(By.cssSelector("#alarms .alarm[data-kind='unprotected']")).isEmpty());
                double seconds = (System.nanoTime() - killed) / 1e9;
                Path screenshot = Path.of("target", "dashboard-unprotected.png");
                Files.write(screenshot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                assertTrue(seconds <= 3.0, "the page showed the loss after " + seconds + " s (screenshot "
                        + screenshot.toAbsolutePath() + ")");
                String alarm = browser.findElement(By.cssSelector("#alarms .alarm[data-kind='unprotected']")).getText();
                assertTrue(alarm.contains("site a serves UNPROTECTED") && alarm.contains("What to do:"), alarm);
                assertEquals("rgba(198, 40, 40, 1)", browser.findElement(protectionOfA).getCssValue("color"),
                        "unprotected is drawn in red");
            } finally {
                browser.quit();
            }
        }
    }
}
