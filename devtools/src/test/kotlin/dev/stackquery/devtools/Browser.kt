package dev.stackquery.devtools

import io.kotest.core.test.Enabled
import org.openqa.selenium.chrome.ChromeDriver
import org.openqa.selenium.chrome.ChromeDriverService
import org.openqa.selenium.chrome.ChromeOptions
import java.io.File
import java.time.Duration

/**
 * The headless Chromium the browser test drives: the Debian packages' `/usr/bin/chromium` and
 * `/usr/bin/chromedriver` (or `STACKQUERY_CHROMIUM` / `STACKQUERY_CHROMEDRIVER`). When they are
 * missing the test is skipped with a message saying how to install them, unless
 * `STACKQUERY_REQUIRE_SERVICES=true` (CI sets it, after `.ci/install-browser`): then it fails.
 */
object Browser {
    private val required: Boolean = System.getenv("STACKQUERY_REQUIRE_SERVICES") == "true"
    val chromium: File = File(System.getenv("STACKQUERY_CHROMIUM") ?: "/usr/bin/chromium")
    val chromedriver: File = File(System.getenv("STACKQUERY_CHROMEDRIVER") ?: "/usr/bin/chromedriver")

    val available: Boolean get() = chromium.canExecute() && chromedriver.canExecute()

    private val missing: String
        get() = "headless Chromium is not installed (${listOf(chromium, chromedriver).filterNot { it.canExecute() }
            .joinToString(" and ")} missing); install it with " +
            "`sudo apt-get install -y chromium chromium-driver` (or `bash .ci/install-browser`)"

    /** For a spec's `enabledOrReasonIf`: enabled when the browser is installed or required. */
    fun enabled(): Enabled = when {
        available || required -> Enabled.enabled
        else -> Enabled.disabled("$missing: the browser test is skipped").also {
            System.err.println("SKIPPED: $missing")
        }
    }

    /** A new headless Chromium session, 1400×900; fails with [missing] when the browser is not there. */
    fun start(): ChromeDriver {
        if (!available) throw AssertionError("$missing (STACKQUERY_REQUIRE_SERVICES=true: it is required)")
        val service = ChromeDriverService.Builder().usingDriverExecutable(chromedriver).usingAnyFreePort().build()
        val options = ChromeOptions().setBinary(chromium).addArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1400,900",
        )
        return ChromeDriver(service, options).apply {
            manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30))
        }
    }
}
